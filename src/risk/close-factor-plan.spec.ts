import { Decimal, dec } from '../common/money/decimal.js';
import { planCloseFactorLiquidation, type CloseFactorCollateral, type Debt } from './close-factor-plan.js';

// Aave v3 rules (src/presets/aave-v3.ts): close factor 0.5, whole debt at HF ≤ 0.95 or below $2,000.
const RULES = { closeFactor: dec('0.5'), fullCloseHealthFactor: dec('0.95'), fullCloseBelowValue: dec('2000') };
const usdc = (amount: string): Debt => ({ amount: dec(amount), price: dec('1'), decimals: 6 });

/** Collateral with Aave-like levels: the threshold is liquidationLtv. */
function coll(asset: string, amount: string, price: string, threshold: string, bonus: string, decimals: number): CloseFactorCollateral {
  const t = dec(threshold);
  return { asset, amount: dec(amount), price: dec(price), decimals, levels: { maxLtv: t.minus('0.05'), marginCallLtv: t, liquidationLtv: t }, bonus: dec(bonus), protocolFeeShare: dec('0.1') };
}
const btc = (amount: string, price: string) => coll('BTC', amount, price, '0.75', '0.1', 8);
const eth = (amount: string, price: string) => coll('ETH', amount, price, '0.825', '0.05', 18);
const s = (d: Decimal | null) => d?.toFixed() ?? null;

describe('planCloseFactorLiquidation (Aave v3)', () => {
  it('does nothing while the health factor is at least 1 (exactly 1 included)', () => {
    const plan = planCloseFactorLiquidation(usdc('7500'), [btc('1', '10000')], RULES); // HF = 10,000 × 0.75 / 7,500 = 1
    expect(plan).toMatchObject({ liquidatable: false, seizures: [] });
    expect(s(plan.healthFactor)).toBe('1');
    expect(s(plan.debtLeft)).toBe('7500');
  });

  it('repays half the debt above HF 0.95 and seizes repaid × (1 + bonus) of collateral', () => {
    // 5 ETH at 2,000 = 10,000; debt 8,500. HF = 10,000 × 0.825 / 8,500 = 0.97058… > 0.95.
    const plan = planCloseFactorLiquidation(usdc('8500'), [eth('5', '2000')], RULES);
    expect(plan.healthFactor!.toDecimalPlaces(6).toFixed()).toBe('0.970588');
    expect(s(plan.closeFactor)).toBe('0.5');
    expect(s(plan.maxRepay)).toBe('4250'); // 0.5 × 8,500
    const [seized] = plan.seizures;
    expect(s(seized.units)).toBe('2.23125'); // 4,250 × 1.05 / 2,000
    expect(s(seized.repaid)).toBe('4250');
    expect(s(seized.protocolFeeUnits)).toBe('0.010625'); // (2.23125 − 2.23125 / 1.05) × 0.1 = 0.10625 × 0.1
    expect(s(seized.liquidatorUnits)).toBe('2.220625'); // 2.23125 − 0.010625
    expect(seized.seizedAll).toBe(false);
    expect({ repaid: s(plan.repaid), badDebt: s(plan.badDebt), debtLeft: s(plan.debtLeft) }).toEqual({ repaid: '4250', badDebt: '0', debtLeft: '4250' });
  });

  it('closes the whole debt at or below HF 0.95', () => {
    // 1 BTC at 10,000; debt 8,000. HF = 10,000 × 0.75 / 8,000 = 0.9375 ≤ 0.95.
    const plan = planCloseFactorLiquidation(usdc('8000'), [btc('1', '10000')], RULES);
    expect(s(plan.closeFactor)).toBe('1');
    expect(s(plan.seizures[0].units)).toBe('0.88'); // 8,000 × 1.1 / 10,000
    expect(s(plan.seizures[0].protocolFeeUnits)).toBe('0.008'); // (0.88 − 0.88 / 1.1) × 0.1 = 0.08 × 0.1
    expect({ repaid: s(plan.repaid), badDebt: s(plan.badDebt), debtLeft: s(plan.debtLeft) }).toEqual({ repaid: '8000', badDebt: '0', debtLeft: '0' });
  });

  it('closes the whole debt at exactly HF 0.95 (the threshold is inclusive)', () => {
    // 0.95 BTC at 10,000 = 9,500; debt 7,500.
    const plan = planCloseFactorLiquidation(usdc('7500'), [btc('0.95', '10000')], RULES);
    expect(s(plan.healthFactor)).toBe('0.95'); // 9,500 × 0.75 / 7,500
    expect(s(plan.closeFactor)).toBe('1');
  });

  it('closes a small position whole even above HF 0.95 (collateral or debt under $2,000)', () => {
    // 0.15 BTC at 10,000 = 1,500 < 2,000; debt 1,150; HF = 1,500 × 0.75 / 1,150 = 0.978… > 0.95.
    const plan = planCloseFactorLiquidation(usdc('1150'), [btc('0.15', '10000')], RULES);
    expect(s(plan.closeFactor)).toBe('1');
    expect(s(plan.seizures[0].units)).toBe('0.1265'); // 1,150 × 1.1 / 10,000
    expect(s(plan.debtLeft)).toBe('0');
  });

  it('when the collateral is short, seizes all of it, repays what it covers, and writes off the rest (deficit)', () => {
    // 1 BTC at 8,500; debt 8,000. HF = 8,500 × 0.75 / 8,000 = 0.796875. Needed 8,000 × 1.1 / 8,500 = 1.0353 BTC > 1.
    const plan = planCloseFactorLiquidation(usdc('8000'), [btc('1', '8500')], RULES);
    const [seized] = plan.seizures;
    expect(s(seized.units)).toBe('1');
    expect(seized.seizedAll).toBe(true);
    expect(s(seized.repaid)).toBe('7727.272727'); // 8,500 / 1.1 = 7,727.2727272…, rounded down to 6 decimals
    expect(s(seized.protocolFeeUnits)).toBe('0.00909091'); // (1 − round(1 / 1.1, 8) = 0.09090909) × 0.1, half up
    expect(s(seized.liquidatorUnits)).toBe('0.99090909'); // 1 − 0.00909091
    expect(s(plan.badDebt)).toBe('272.727273'); // 8,000 − 7,727.272727
    expect(s(plan.debtLeft)).toBe('0');
  });

  it('writes nothing off while collateral without a price remains', () => {
    const unpriced: CloseFactorCollateral = { ...btc('1', '1'), asset: 'LAB', price: undefined };
    const plan = planCloseFactorLiquidation(usdc('8000'), [btc('1', '8500'), unpriced], RULES);
    expect(s(plan.badDebt)).toBe('0');
    expect(s(plan.debtLeft)).toBe('272.727273'); // 8,000 − 8,500 / 1.1 (rounded down)
  });

  it('takes several collateral assets in sale order: lowest threshold first, then the next', () => {
    // 0.1 BTC at 10,000 = 1,000 (threshold 0.75) and 2 ETH at 2,000 = 4,000 (0.825); debt 4,500.
    // HF = (1,000 × 0.75 + 4,000 × 0.825) / 4,500 = 4,050 / 4,500 = 0.9 → whole debt.
    const plan = planCloseFactorLiquidation(usdc('4500'), [eth('2', '2000'), btc('0.1', '10000')], RULES);
    expect(s(plan.healthFactor)).toBe('0.9');
    const [first, second] = plan.seizures;
    expect(first).toMatchObject({ asset: 'BTC', seizedAll: true });
    expect(s(first.units)).toBe('0.1'); // needed 4,500 × 1.1 / 10,000 = 0.495 > 0.1
    expect(s(first.repaid)).toBe('909.090909'); // 1,000 / 1.1, rounded down
    expect(second.asset).toBe('ETH');
    expect(s(second.units)).toBe('1.885227272775'); // (4,500 − 909.090909) × 1.05 / 2,000
    expect(s(second.repaid)).toBe('3590.909091'); // 4,500 − 909.090909
    expect({ repaid: s(plan.repaid), badDebt: s(plan.badDebt), debtLeft: s(plan.debtLeft) }).toEqual({ repaid: '4500', badDebt: '0', debtLeft: '0' });
  });

  it('rounds the seized units down to the collateral\u2019s decimals (the borrower\u2019s favour, as Aave\u2019s floor division)', () => {
    // 0.44 BTC at 30,000; debt 10,001. HF = 13,200 × 0.75 / 10,001 = 0.9899… → half: 5,000.5.
    const plan = planCloseFactorLiquidation(usdc('10001'), [btc('0.44', '30000')], RULES);
    expect(s(plan.maxRepay)).toBe('5000.5'); // 0.5 × 10,001
    const [seized] = plan.seizures;
    expect(s(seized.units)).toBe('0.18335166'); // 5,000.5 × 1.1 / 30,000 = 0.1833516666…, rounded down
    expect(s(seized.protocolFeeUnits)).toBe('0.00166683'); // (0.18335166 − round½↑(0.18335166 / 1.1) = 0.16668333) × 0.1 = 0.001666833
    expect(s(plan.debtLeft)).toBe('5000.5');
  });

  it('rounds the allowed repayment down to the debt\u2019s decimals', () => {
    // debt 8,500.000001: half is 4,250.0000005 → 4,250 (the borrower's favour).
    const plan = planCloseFactorLiquidation(usdc('8500.000001'), [eth('5', '2000')], RULES);
    expect(s(plan.maxRepay)).toBe('4250');
    expect(s(plan.debtLeft)).toBe('4250.000001');
  });
});
