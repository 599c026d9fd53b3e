import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import type { RiskLevels } from '../markets/market-state.js';
import { statusOf, valueAccount } from './valuation.js';

const LEVELS: Record<string, RiskLevels> = {
  BTC: { maxLtv: dec('0.5'), marginCallLtv: dec('0.714'), liquidationLtv: dec('0.833') },
  ETH: { maxLtv: dec('0.6'), marginCallLtv: dec('0.75'), liquidationLtv: dec('0.85') },
  USDC: { maxLtv: dec('0.8'), marginCallLtv: dec('0.85'), liquidationLtv: dec('0.9') },
};
const levelsOf = (asset: string) => LEVELS[asset];
const prices = new Map<string, Decimal>([
  ['BTC', dec('30000')],
  ['ETH', dec('2000')],
  ['USDC', dec('1')],
]);
const h = (asset: string, amount: string) => ({ asset, amount: dec(amount) });
const single = (level: string) => ({ maxLtv: dec('0.5'), marginCallLtv: dec('0.7'), liquidationLtv: dec(level) });

describe('account valuation', () => {
  it('values collateral and debt at current prices, LTV = debt / collateral, levels weighted by value', () => {
    // collateral 1 BTC × 30000 + 10 ETH × 2000 = 50000; debt 20000 USDC; LTV = 20000 / 50000 = 0.4
    const v = valueAccount([h('BTC', '1'), h('ETH', '10')], [h('USDC', '20000')], prices, levelsOf);
    expect(v.collateralValue.toFixed()).toBe('50000');
    expect(v.debtValue.toFixed()).toBe('20000');
    expect(v.ltv!.toFixed()).toBe('0.4');
    expect(v.levels!.maxLtv.toFixed()).toBe('0.54'); //           (30000 × 0.5 + 20000 × 0.6) / 50000
    expect(v.levels!.marginCallLtv.toFixed()).toBe('0.7284'); //  (30000 × 0.714 + 20000 × 0.75) / 50000
    expect(v.levels!.liquidationLtv.toFixed()).toBe('0.8398'); // (30000 × 0.833 + 20000 × 0.85) / 50000
    expect(v.status).toBe('healthy');
  });

  it('adds up several debts, each at its price', () => {
    // 0.1 BTC × 30000 + 1000 USDC × 1 = 4000 of debt over 50000
    const v = valueAccount([h('BTC', '1'), h('ETH', '10')], [h('BTC', '0.1'), h('USDC', '1000')], prices, levelsOf);
    expect(v.debtValue.toFixed()).toBe('4000');
    expect(v.ltv!.toFixed()).toBe('0.08');
  });

  it('counts collateral without a price as worth nothing', () => {
    const v = valueAccount([h('BTC', '1'), h('LAB', '1000')], [], prices, (asset) => LEVELS[asset] ?? LEVELS.BTC);
    expect(v.collateralValue.toFixed()).toBe('30000');
    expect(v.levels!.marginCallLtv.toFixed()).toBe('0.714');
  });

  it('is liquidating at the liquidation level exactly, and margin-called at the margin-call level exactly', () => {
    // 1 BTC at 30000: liquidation at 0.833 × 30000 = 24990 of debt, margin call at 0.714 × 30000 = 21420
    const status = (debt: string) => valueAccount([h('BTC', '1')], [h('USDC', debt)], prices, levelsOf).status;
    expect(status('24990')).toBe('liquidating');
    expect(status('24989.99')).toBe('margin_call');
    expect(status('21420')).toBe('margin_call');
    expect(status('21419.99')).toBe('healthy');
  });

  it('flags debt without any collateral as liquidating (no LTV can be shown)', () => {
    const v = valueAccount([], [h('USDC', '1')], prices, levelsOf);
    expect(v.ltv).toBeNull();
    expect(v.levels).toBeNull();
    expect(v.status).toBe('liquidating');
    // collateral that cannot be valued is no collateral
    expect(valueAccount([h('LAB', '5')], [h('USDC', '1')], prices, () => LEVELS.BTC).status).toBe('liquidating');
  });

  it('is healthy without debt, with or without collateral', () => {
    const empty = valueAccount([], [], prices, levelsOf);
    expect(empty).toEqual({ collateralValue: dec(0), debtValue: dec(0), ltv: null, levels: null, status: 'healthy' });
    const noDebt = valueAccount([h('BTC', '1')], [], prices, levelsOf);
    expect(noDebt.ltv).toBeNull();
    expect(noDebt.status).toBe('healthy');
  });
});

describe('status from LTV and levels', () => {
  it('compares the LTV with the levels, each boundary on both sides', () => {
    const levels = single('0.8');
    expect(statusOf(dec('0.8'), levels, dec(80), dec(100))).toBe('liquidating');
    expect(statusOf(dec('0.7999'), levels, dec(80), dec(100))).toBe('margin_call');
    expect(statusOf(dec('0.7'), levels, dec(70), dec(100))).toBe('margin_call');
    expect(statusOf(dec('0.6999'), levels, dec(70), dec(100))).toBe('healthy');
  });

  it('is healthy without an LTV or without levels, unless there is debt and no collateral', () => {
    expect(statusOf(null, single('0.8'), dec(0), dec(100))).toBe('healthy');
    expect(statusOf(dec('0.9'), null, dec(90), dec(100))).toBe('healthy');
    expect(statusOf(null, null, dec('0.01'), dec(0))).toBe('liquidating');
    expect(statusOf(null, null, dec(0), dec(0))).toBe('healthy');
  });
});
