import { MARKET_DEFAULTS } from '../markets/market-defaults.js';
import { Decimal } from '../common/money/decimal.js';
import { PRESETS, presetNamed } from './index.js';
import { engineMarginCall, presetWrites, writeOrder } from './preset-settings.js';

describe('presetWrites: a preset as the settings and market updates the engine takes', () => {
  it('writes lendlab as exactly the engine\u2019s defaults', () => {
    const writes = presetWrites(presetNamed('lendlab'));
    expect(writes.settings).toEqual({
      lendingPeriodDays: 7,
      liquidationFee: '0.05',
      topUpResetsMaturity: true,
      wholePositionWithdrawals: true,
      loyaltyTiers: true,
      marginCallWarnings: [],
      liquidationStrategy: 'restore',
    });
    for (const [asset, m] of Object.entries(writes.markets)) {
      const d = MARKET_DEFAULTS[asset];
      expect({ asset, ...m.rateModel, ...m.risk }).toEqual({
        asset,
        baseRate: d.baseRate,
        optimalUtilization: d.optimalUtilization,
        slope1: d.slope1,
        slope2: d.slope2,
        reserveFactor: d.reserveFactor,
        maxLtv: d.maxLtv,
        marginCallLtv: d.marginCallLtv,
        liquidationLtv: d.liquidationLtv,
      });
    }
    expect(writes.notApplied).toEqual([]);
  });

  it('writes nexo\u2019s limits and levels, no lock, partial withdrawals and its three warnings', () => {
    const writes = presetWrites(presetNamed('nexo'));
    expect(writes.markets.BTC.risk).toEqual({ maxLtv: '0.527', marginCallLtv: '0.714', liquidationLtv: '0.833' });
    expect(writes.markets.SOL.risk).toEqual({ maxLtv: '0.4', marginCallLtv: '0.714', liquidationLtv: '0.833' });
    expect(writes.markets.USDC.risk).toEqual({ maxLtv: '0.9', marginCallLtv: '0.92', liquidationLtv: '0.94' });
    expect(writes.settings).toEqual({
      lendingPeriodDays: 0,
      liquidationFee: '0.05',
      topUpResetsMaturity: false,
      wholePositionWithdrawals: false,
      loyaltyTiers: true,
      marginCallWarnings: ['0.714', '0.741', '0.769'],
      liquidationStrategy: 'restore',
    });
    expect(writes.applied.join('\n')).toMatch(/warnings at 71\.4 %, 74\.1 %, 76\.9 % LTV/);
    expect(writes.notApplied).toEqual([]);
  });

  it('writes Aave\u2019s close factor with its bonuses, a stand-in margin-call notice halfway to its threshold, and says so', () => {
    const writes = presetWrites(presetNamed('aave-v3'));
    expect(writes.markets.BTC.risk).toEqual({ maxLtv: '0.7', marginCallLtv: '0.725', liquidationLtv: '0.75', liquidationBonus: '0.1', protocolFeeShare: '0.1' });
    expect(writes.markets.ETH.risk.liquidationBonus).toBe('0.05');
    expect(writes.markets.BTC.rateModel).toEqual({ baseRate: '0', optimalUtilization: '0.45', slope1: '0.07', slope2: '3', reserveFactor: '0.2' });
    expect(writes.settings).toEqual({
      lendingPeriodDays: 0,
      liquidationFee: '0.05',
      topUpResetsMaturity: false,
      wholePositionWithdrawals: false,
      loyaltyTiers: false,
      marginCallWarnings: [],
      liquidationStrategy: 'close-factor',
      closeFactor: '0.5',
      fullCloseHealthFactor: '0.95',
      fullCloseBelowValue: '2000',
    });
    expect(writes.applied.join('\n')).toMatch(/close factor/);
    const missing = writes.notApplied.join('\n');
    expect(missing).toMatch(/per-second accrual: the engine accrues interest daily/);
    expect(missing).toMatch(/BTC 72\.5 %/);
  });

  it('writes Compound\u2019s absorb with each asset\u2019s liquidation factor and says store-front sales are not modelled', () => {
    const writes = presetWrites(presetNamed('compound-v3'));
    expect(writes.settings.liquidationStrategy).toBe('absorb');
    expect(writes.settings.storeFrontPriceFactor).toBe('0.5');
    expect(writes.markets.BTC.risk.liquidationFactor).toBe('0.95');
    expect(writes.markets.BTC.risk.liquidationBonus).toBeUndefined();
    expect(writes.notApplied.join('\n')).toMatch(/store-front sales/);
  });

  it('says backpack-jp\u2019s hourly accrual is not applied', () => {
    expect(presetWrites(presetNamed('backpack-jp')).notApplied.join('\n')).toMatch(/hourly accrual: the engine accrues interest daily/);
  });

  it.each(Object.keys(PRESETS))('gives %s levels its strategy accepts (0 < max < margin call < liquidation; restore: < 1 − fee; close-factor: × (1 + bonus) ≤ 1)', (name) => {
    const writes = presetWrites(presetNamed(name));
    const ceiling = new Decimal(1).minus(writes.settings.liquidationFee);
    for (const [asset, { risk }] of Object.entries(writes.markets)) {
      const ordered = new Decimal(risk.maxLtv).gt(0) && new Decimal(risk.maxLtv).lt(risk.marginCallLtv) && new Decimal(risk.marginCallLtv).lt(risk.liquidationLtv);
      const fits =
        writes.settings.liquidationStrategy === 'restore'
          ? new Decimal(risk.liquidationLtv).lt(ceiling)
          : writes.settings.liquidationStrategy === 'close-factor'
            ? new Decimal(risk.liquidationLtv).times(new Decimal(1).plus(risk.liquidationBonus!)).lte(1)
            : true;
      expect({ name, asset, ordered, fits }).toEqual({ name, asset, ordered: true, fits: true });
    }
  });
});

describe('engineMarginCall', () => {
  it('keeps a margin call below the liquidation level', () => {
    expect(engineMarginCall('0.5', '0.714', '0.833')).toBe('0.714');
  });
  it('puts a missing one halfway between the limit and the liquidation level', () => {
    expect(engineMarginCall('0.82', '0.9', '0.9')).toBe('0.86');
  });
  it('leaves a preset\u2019s own disorder for the markets to refuse', () => {
    expect(engineMarginCall('0.15', '0.3', '0.2')).toBe('0.3');
  });
});

describe('writeOrder: never below the ceiling on the way', () => {
  it('writes a lower or equal fee first, a higher fee last', () => {
    expect(writeOrder('0.1', '0.05')).toBe('fee-first');
    expect(writeOrder('0.05', '0.05')).toBe('fee-first');
    expect(writeOrder('0.01', '0.05')).toBe('markets-first');
  });
});
