import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import { planLiquidation } from './liquidation-plan.js';

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
