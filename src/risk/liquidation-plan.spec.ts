import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import { planLiquidation, saleOrder } from './liquidation-plan.js';

const levels = (mc: string, liq: string) => ({ maxLtv: dec('0.5'), marginCallLtv: dec(mc), liquidationLtv: dec(liq) });
const btc = (amount: string, price: string) => ({ asset: 'BTC', amount: dec(amount), price: dec(price), decimals: 8, levels: levels('0.714', '0.833') });
const FEE = dec('0.05');

describe('liquidation plan', () => {
  it('sells x = (D − t·V) / (p·(1 − f − t)) of a single asset, rounded up', () => {
    const plan = planLiquidation(dec(25000), [btc('1', '30000')], FEE);
    // (25000 − 0.714 × 30000) / (30000 × 0.236) = 3580 / 7080 = 0.505649717… → 0.50564972
    expect(plan.sales).toHaveLength(1);
    expect(plan.sales[0].units.toFixed()).toBe('0.50564972');
    expect(plan.sales[0].fee.toFixed()).toBe(dec('0.50564972').times(30000).times('0.05').toFixed());
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('sells everything, without a fee, when the collateral does not cover the debt', () => {
    const plan = planLiquidation(dec(25000), [btc('1', '5000')], FEE);
    expect(plan.sales[0]).toMatchObject({ soldAll: true });
    expect(plan.sales[0].fee.isZero()).toBe(true);
    expect(plan.sales[0].repaid.toFixed()).toBe('5000');
    expect(plan.badDebt.toFixed()).toBe('20000');
  });

  it('caps the fee so that collateral covering the debt leaves no bad debt, across several assets', () => {
    const eth = { asset: 'ETH', amount: dec('0.05'), price: dec('2000'), decimals: 18, levels: levels('0.714', '0.833') };
    const plan = planLiquidation(dec(1000), [btc('0.009', '100000'), eth], FEE);
    expect(plan.soldEverything).toBe(true);
    expect(plan.badDebt.isZero()).toBe(true);
    const fees = plan.sales.reduce((sum, s) => sum.plus(s.fee), new Decimal(0));
    const repaid = plan.sales.reduce((sum, s) => sum.plus(s.repaid), new Decimal(0));
    expect(fees.isZero()).toBe(true);
    expect(repaid.toFixed()).toBe('1000');
  });

  it('takes what is left above the debt as the fee when the debt is covered but the target is not reachable', () => {
    const plan = planLiquidation(dec(1000), [btc('0.0102', '100000')], FEE); // 1020 of collateral
    expect(plan.soldEverything).toBe(true);
    expect(plan.sales[0].repaid.toFixed()).toBe('1000');
    expect(plan.sales[0].fee.toFixed()).toBe('20');
  });

  it('never writes off while collateral without a price remains', () => {
    const unpriced = { asset: 'LAB', amount: dec('100'), price: undefined, decimals: 8, levels: levels('0.3', '0.4') };
    const plan = planLiquidation(dec(25000), [btc('1', '5000'), unpriced], FEE);
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });
});

// Several collateral assets (issue 12: every test above but two has one). Levels chosen so that
// the sale order is visible: BTC's liquidation level (0.8) is below ETH's (0.9), so BTC is sold
// first even when ETH is worth more.
const lv = (max: string, mc: string, liq: string) => ({ maxLtv: dec(max), marginCallLtv: dec(mc), liquidationLtv: dec(liq) });
const asset = (code: string, amount: string, price: string | undefined, decimals: number, levels = lv('0.5', '0.714', '0.833')) => ({
  asset: code,
  amount: dec(amount),
  price: price === undefined ? undefined : dec(price),
  decimals,
  levels,
});
const BTC_LEVELS = lv('0.6', '0.7', '0.8');
const ETH_LEVELS = lv('0.7', '0.8', '0.9');
const sum = (values: Decimal[]) => values.reduce((a, b) => a.plus(b), new Decimal(0));
const near = (actual: Decimal, expected: Decimal, places = 50) => expect(actual.minus(expected).abs().lte(dec(10).pow(-places))).toBe(true);

describe('sale order', () => {
  it('sells the lowest liquidation level first, then the largest value, then by asset code', () => {
    const usdt = asset('USDT', '1000', '1', 6); //        level 0.833, value 1000
    const btc = asset('BTC', '0.01', '100000', 8); //     level 0.833, value 1000 (ties USDT: BTC < USDT by code)
    const eth = asset('ETH', '2.5', '2000', 18); //       level 0.833, value 5000
    const sol = asset('SOL', '0.1', '100', 9, lv('0.4', '0.5', '0.6')); // value 10 but the lowest level
    const priced = (c: ReturnType<typeof asset>) => ({ ...c, price: c.price! });
    const ordered = saleOrder([usdt, btc, eth, sol].map(priced));
    expect(ordered.map((c) => c.asset)).toEqual(['SOL', 'ETH', 'BTC', 'USDT']);
    expect(saleOrder([sol, eth, btc, usdt].map(priced)).map((c) => c.asset)).toEqual(['SOL', 'ETH', 'BTC', 'USDT']);
  });

  it('sells in that order in a liquidation, whatever order the positions come in', () => {
    // ETH (value 20000, level 0.9) is listed first and is worth more; BTC (level 0.8) goes first.
    const plan = planLiquidation(dec(43000), [asset('ETH', '10', '2000', 18, ETH_LEVELS), asset('BTC', '1', '30000', 8, BTC_LEVELS)], FEE);
    expect(plan.sales.map((s) => s.asset)).toEqual(['BTC']);
  });
});

describe('liquidation of several assets', () => {
  it('stops as soon as the LTV is back at the blended margin-call level: one asset sold, the other untouched', () => {
    // V = 30000 + 20000; M = 30000 × 0.7 + 20000 × 0.8 = 37000; D = 43000 (LTV 0.86 ≥ level 0.84).
    // BTC: X = (D − M) / (1 − f − mc) = 6000 / 0.25 = 24000 USD → x = 24000 / 30000 = 0.8 BTC exactly.
    // After: D' = 43000 − 24000 × 0.95 = 20200 = M' = 37000 − 24000 × 0.7: on target, so ETH is not sold.
    const plan = planLiquidation(dec(43000), [asset('BTC', '1', '30000', 8, BTC_LEVELS), asset('ETH', '10', '2000', 18, ETH_LEVELS)], FEE);
    expect(plan.sales).toHaveLength(1);
    expect(plan.sales[0]).toMatchObject({ asset: 'BTC', soldAll: false });
    expect(plan.sales[0].units.toFixed()).toBe('0.8');
    expect(plan.sales[0].proceeds.toFixed()).toBe('24000');
    expect(plan.sales[0].fee.toFixed()).toBe('1200'); //   24000 × 0.05
    expect(plan.sales[0].repaid.toFixed()).toBe('22800'); // 24000 − 1200
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('sells nothing when the debt is exactly at the target already', () => {
    // M = 1 × 30000 × 0.7 + 10 × 2000 × 0.8 = 37000 = D
    const plan = planLiquidation(dec(37000), [asset('BTC', '1', '30000', 8, BTC_LEVELS), asset('ETH', '10', '2000', 18, ETH_LEVELS)], FEE);
    expect(plan.sales).toEqual([]);
    expect(plan.soldEverything).toBe(false);
  });

  it('sells the first asset entirely, then only what is needed of the next, with the target re-blended in between', () => {
    // BTC 0.1 × 30000 = 3000 (mc 0.7), ETH 10 × 2000 = 20000 (mc 0.8); M = 2100 + 16000 = 18100; D = 21000.
    // BTC: X = (21000 − 18100) / 0.25 = 11600 > 3000 → all 0.1 BTC: fee 150, repaid 2850.
    // Then D' = 18150, M' = 18100 − 3000 × 0.7 = 16000; ETH: X = (18150 − 16000) / (1 − 0.05 − 0.8) = 14333.33…
    //   x = 14333.33… / 2000 = 7.1666… → rounded up at 18 decimals: 7.166666666666666667
    const plan = planLiquidation(dec(21000), [asset('ETH', '10', '2000', 18, ETH_LEVELS), asset('BTC', '0.1', '30000', 8, BTC_LEVELS)], FEE);
    expect(plan.sales.map((s) => [s.asset, s.soldAll])).toEqual([
      ['BTC', true],
      ['ETH', false],
    ]);
    expect(plan.sales[0].units.toFixed()).toBe('0.1');
    expect(plan.sales[0].repaid.toFixed()).toBe('2850');
    expect(plan.sales[1].units.toFixed()).toBe('7.166666666666666667');
    expect(plan.sales[1].proceeds.toFixed()).toBe('14333.333333333333334'); // 7.166666666666666667 × 2000
    expect(plan.sales[1].fee.toFixed()).toBe('716.6666666666666667'); //      × 0.05
    expect(plan.sales[1].repaid.toFixed()).toBe('13616.6666666666666673'); // × 0.95
    // Not everything was sold: nothing is written off.
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('is not "everything sold" when the first asset is sold entirely and reaches the target, another remaining', () => {
    // BTC 0.5 × 30000 = 15000 (mc 0.7), ETH 10 × 2000 (mc 0.8): M = 10500 + 16000 = 26500.
    // Choose D so that BTC's x = X / p is half a satoshi under 0.5 BTC: rounded up, it is all of it.
    //   X = (0.5 − 0.000000005) × 30000 = 14999.99985; D = M + X × 0.25 = 30249.9999625
    const plan = planLiquidation(dec('30249.9999625'), [asset('BTC', '0.5', '30000', 8, BTC_LEVELS), asset('ETH', '10', '2000', 18, ETH_LEVELS)], FEE);
    expect(plan.sales).toHaveLength(1);
    expect(plan.sales[0]).toMatchObject({ asset: 'BTC', soldAll: true });
    expect(plan.soldEverything).toBe(false); // ETH remains
    expect(plan.badDebt.isZero()).toBe(true);
    expect(plan.sales[0].repaid.toFixed()).toBe('14250'); // 15000 × 0.95: the fee is not capped
  });

  it('caps the fees of a sell-everything across assets at what is left once the debt is repaid, shared by value', () => {
    // BTC 0.006 × 100000 = 600, ETH 0.21 × 2000 = 420: total 1020 ≥ debt 1000, but the target is out of reach.
    // Fees: min(1020 × 0.05, 1020 − 1000) = 20, split by each sale's share of the proceeds.
    const plan = planLiquidation(dec(1000), [asset('ETH', '0.21', '2000', 18), asset('BTC', '0.006', '100000', 8)], FEE);
    expect(plan.soldEverything).toBe(true);
    expect(plan.sales.map((s) => [s.asset, s.soldAll])).toEqual([
      ['BTC', true], // same level: the larger value first
      ['ETH', true],
    ]);
    near(plan.sales[0].fee, dec(20).times(600).div(1020)); // 20 × 600/1020 = 11.7647…
    near(plan.sales[1].fee, dec(20).times(420).div(1020)); // 20 × 420/1020 = 8.2352…
    near(plan.sales[0].repaid, dec(600).minus(dec(20).times(600).div(1020)));
    near(sum(plan.sales.map((s) => s.fee)), dec(20));
    near(sum(plan.sales.map((s) => s.repaid)), dec(1000));
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('writes off what debt remains once every asset is sold, all proceeds repaying it and no fee', () => {
    // BTC 0.01 × 30000 = 300, ETH 0.1 × 2000 = 200: 500 of collateral against 800 of debt.
    const plan = planLiquidation(dec(800), [asset('BTC', '0.01', '30000', 8, BTC_LEVELS), asset('ETH', '0.1', '2000', 18, ETH_LEVELS)], FEE);
    expect(plan.soldEverything).toBe(true);
    expect(plan.sales.map((s) => s.fee.toFixed())).toEqual(['0', '0']);
    expect(plan.sales.map((s) => s.repaid.toFixed())).toEqual(['300', '200']);
    expect(plan.badDebt.toFixed()).toBe('300'); // 800 − 500
  });

  it('writes the whole debt off when there is no collateral at all', () => {
    const plan = planLiquidation(dec(800), [], FEE);
    expect(plan).toEqual({ sales: [], soldEverything: true, badDebt: dec(800) });
  });
});

describe('what can be sold', () => {
  it('sells a position of exactly one unit, and of a single smallest unit', () => {
    // 1 BTC at 5000 against 25000: all of it; 1 satoshi at 30000 is 0.0003 USD: all of it too.
    const one = planLiquidation(dec(25000), [btc('1', '5000')], FEE);
    expect(one.sales.map((s) => s.units.toFixed())).toEqual(['1']);
    const satoshi = planLiquidation(dec(1), [btc('0.00000001', '30000')], FEE);
    expect(satoshi.sales.map((s) => s.units.toFixed())).toEqual(['0.00000001']);
    expect(satoshi.soldEverything).toBe(true);
    expect(satoshi.badDebt.toFixed()).toBe('0.9997'); // 1 − 0.0003
  });

  it('skips positions of zero units, priced or not, and they never block a write-off', () => {
    const emptyEth = asset('ETH', '0', '2000', 18);
    const emptyLab = asset('LAB', '0', undefined, 8);
    const plan = planLiquidation(dec(25000), [emptyEth, btc('1', '5000'), emptyLab], FEE);
    expect(plan.sales.map((s) => s.asset)).toEqual(['BTC']);
    expect(plan.soldEverything).toBe(true);
    expect(plan.badDebt.toFixed()).toBe('20000');
  });

  it('never writes off while even half a unit of collateral without a price remains', () => {
    const plan = planLiquidation(dec(25000), [btc('1', '5000'), asset('LAB', '0.5', undefined, 8)], FEE);
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('cannot sell collateral priced at zero: it blocks the write-off like collateral without a price', () => {
    const plan = planLiquidation(dec(25000), [btc('1', '5000'), asset('LAB', '100', '0', 8)], FEE);
    expect(plan.sales.map((s) => s.asset)).toEqual(['BTC']);
    expect(plan.soldEverything).toBe(false);
    expect(plan.badDebt.isZero()).toBe(true);
  });

  it('never repays more than the debt when rounding the units up sells a hair more: the excess is the fee', () => {
    // 0.0102 BTC at 100000 = 1020 (mc 0.714): x = (D − 728.28) / 0.236 / 100000 is under 0.0102 by less than
    // a satoshi for D = 968.9999, so all of it is sold; 1020 × 0.95 = 969 > D, so it repays D and keeps the rest.
    const plan = planLiquidation(dec('968.9999'), [btc('0.0102', '100000')], FEE);
    expect(plan.sales[0].units.toFixed()).toBe('0.0102');
    expect(plan.sales[0].repaid.toFixed()).toBe('968.9999');
    expect(plan.sales[0].fee.toFixed()).toBe('51.0001'); // 1020 − 968.9999
    expect(plan.soldEverything).toBe(true);
    expect(plan.badDebt.isZero()).toBe(true);
  });
});
