import { Decimal, dec } from '../common/money/decimal.js';
import { planAbsorb, type AbsorbCollateral } from './absorb-plan.js';
import type { Debt } from './close-factor-plan.js';

// Compound v3 cUSDCv3 launch figures (src/presets/compound-v3.ts): WBTC liquidate CF 0.78 and
// liquidation factor 0.95, WETH 0.9 and 0.95; store-front price factor 0.5. SOL is assumed (0.75, 0.93).
const STORE_FRONT = dec('0.5');
const usdc = (amount: string): Debt => ({ amount: dec(amount), price: dec('1'), decimals: 6 });

function coll(asset: string, amount: string, price: string, liquidateCF: string, liquidationFactor: string, decimals: number): AbsorbCollateral {
  const l = dec(liquidateCF);
  return { asset, amount: dec(amount), price: dec(price), decimals, levels: { maxLtv: l.minus('0.08'), marginCallLtv: l, liquidationLtv: l }, liquidationFactor: dec(liquidationFactor) };
}
const btc = (amount: string, price: string) => coll('BTC', amount, price, '0.78', '0.95', 8);
const eth = (amount: string, price: string) => coll('ETH', amount, price, '0.9', '0.95', 18);
const sol = (amount: string, price: string) => coll('SOL', amount, price, '0.75', '0.93', 9);
const s = (d: Decimal | null) => d?.toFixed() ?? null;

describe('planAbsorb (Compound v3)', () => {
  it('does nothing while the debt is at or below Σ value × liquidate collateral factor (Comet: liquidity ≥ 0)', () => {
    const plan = planAbsorb(usdc('7800'), [btc('1', '10000')], STORE_FRONT); // 10,000 × 0.78 = 7,800, not above
    expect(plan).toMatchObject({ liquidatable: false, absorbed: [] });
    expect(s(plan.ltv)).toBe('0.78');
  });

  it('absorbs all the collateral and leaves a surplus to the account as USDC', () => {
    // 1 BTC at 10,000; debt 7,900: LTV 0.79 > 0.78.
    const plan = planAbsorb(usdc('7900'), [btc('1', '10000')], STORE_FRONT);
    expect(plan.liquidatable).toBe(true);
    expect(s(plan.ltv)).toBe('0.79');
    const [a] = plan.absorbed;
    expect({ units: s(a.units), value: s(a.value), credited: s(a.credited) }).toEqual({ units: '1', value: '10000', credited: '9500' }); // 10,000 × 0.95
    expect(s(a.storeFrontPrice)).toBe('9750'); // 10,000 × (1 − 0.5 × (1 − 0.95))
    expect(s(plan.credit)).toBe('9500');
    expect(s(plan.surplus)).toBe('1600'); // 9,500 − 7,900
    expect(s(plan.badDebt)).toBe('0');
    expect(s(plan.protocolResultIfSold)).toBe('250'); // 9,750 − (7,900 + 1,600)
  });

  it('leaves a shortfall to the protocol as bad debt; the account owes nothing', () => {
    // 1 BTC at 8,000; debt 7,900: LTV 0.9875.
    const plan = planAbsorb(usdc('7900'), [btc('1', '8000')], STORE_FRONT);
    expect(s(plan.credit)).toBe('7600'); // 8,000 × 0.95
    expect(s(plan.surplus)).toBe('0');
    expect(s(plan.badDebt)).toBe('300'); // 7,900 − 7,600
    expect(s(plan.protocolResultIfSold)).toBe('-100'); // 8,000 × 0.975 − 7,900 = 7,800 − 7,900
  });

  it('absorbs every collateral asset at once, each at its own factors', () => {
    // 0.5 BTC at 10,000 = 5,000; 3 ETH at 2,000 = 6,000; 10 SOL at 100 = 1,000: 12,000 in all.
    // Σ value × liquidate CF = 5,000 × 0.78 + 6,000 × 0.9 + 1,000 × 0.75 = 3,900 + 5,400 + 750 = 10,050 < debt 10,100.
    const plan = planAbsorb(usdc('10100'), [btc('0.5', '10000'), eth('3', '2000'), sol('10', '100')], STORE_FRONT);
    expect(s(plan.liquidationLevel)).toBe('0.8375'); // 10,050 / 12,000
    expect(plan.absorbed.map((a) => [a.asset, s(a.credited), s(a.storeFrontPrice), s(a.storeFrontProceeds)])).toEqual([
      ['BTC', '4750', '9750', '4875'], // 5,000 × 0.95; 10,000 × (1 − 0.5 × 0.05); 0.5 × 9,750
      ['ETH', '5700', '1950', '5850'], // 6,000 × 0.95; 2,000 × (1 − 0.5 × 0.05); 3 × 1,950
      ['SOL', '930', '96.5', '965'], // 1,000 × 0.93; 100 × (1 − 0.5 × 0.07); 10 × 96.5
    ]);
    expect(s(plan.credit)).toBe('11380'); // 4,750 + 5,700 + 930
    expect(s(plan.surplus)).toBe('1280'); // 11,380 − 10,100
    expect(s(plan.protocolResultIfSold)).toBe('310'); // 4,875 + 5,850 + 965 − (10,100 + 1,280)
  });

  it('rounds the credit down to the debt\u2019s decimals (the protocol\u2019s favour, as Comet\u2019s divPrice)', () => {
    // 0.33333333 BTC at 9,999.99 = 3,333.3299666667; × 0.95 = 3,166.663468333365 → 3,166.663468.
    const plan = planAbsorb(usdc('3300'), [btc('0.33333333', '9999.99')], STORE_FRONT);
    expect(s(plan.absorbed[0].credited)).toBe('3166.663468333365');
    expect(s(plan.credit)).toBe('3166.663468');
    expect(s(plan.badDebt)).toBe('133.336532'); // 3,300 − 3,166.663468
  });

  it('refuses collateral without a price', () => {
    const unpriced: AbsorbCollateral = { ...sol('10', '1'), price: undefined };
    expect(() => planAbsorb(usdc('100'), [btc('1', '10000'), unpriced], STORE_FRONT)).toThrow('cannot absorb collateral without a price: SOL');
  });
});
