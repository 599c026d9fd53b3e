import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { repaymentOf, type LoanRow } from './repayment.js';

// A loan of 1000 USDC (6 decimals) borrowed at index 1 and now at borrow index 1.05:
// outstanding = 1000 × 1.05 = 1050.000000, of which 50 is interest.
const row = (scaled: string, principal: string): LoanRow => ({ id: 'loan-1', account_id: 'acc-1', asset: 'USDC', scaled_debt: scaled, principal });
const INDEX = dec('1.05');
const entries = (r: ReturnType<typeof repaymentOf>) => r.entries.map((e) => [e.account.code, e.account.asset, e.amount.toFixed()]);

describe('repayment: interest first, then principal', () => {
  it('a partial repayment smaller than the interest pays interest only', () => {
    const r = repaymentOf(row('1000', '1000'), 6, INDEX, dec('30'));
    expect(r.principalPaid.toFixed()).toBe('0');
    expect(r.principalAfter.toFixed()).toBe('1000');
    expect(entries(r)).toEqual([['market:interest_receivable', 'USDC', '-30']]);
    // scaled after = 1000 − 30 / 1.05 = 1000 − 28.571428… rounded down at the 30th decimal
    expect(r.scaledAfter.toFixed()).toBe('971.428571428571428571428571428571');
    expect(r.scaledPaid.toFixed()).toBe('28.571428571428571428571428571429'); // 1000 − scaled after
  });

  it('a partial repayment larger than the interest pays all of it, then principal', () => {
    const r = repaymentOf(row('1000', '1000'), 6, INDEX, dec('80'));
    // interest 50 first, then 80 − 50 = 30 of principal
    expect(r.principalPaid.toFixed()).toBe('30');
    expect(r.principalAfter.toFixed()).toBe('970');
    expect(entries(r)).toEqual([
      ['account:acc-1:debt', 'USDC', '-30'],
      ['market:interest_receivable', 'USDC', '-50'],
    ]);
    // 1000 − 80 / 1.05 = 1000 − 76.190476… = 923.809523809523… rounded down at 30 decimals
    expect(r.scaledAfter.toFixed()).toBe('923.809523809523809523809523809523');
  });

  it('repaying exactly the outstanding debt clears the loan: no scaled debt, no principal', () => {
    const r = repaymentOf(row('1000', '1000'), 6, INDEX, dec('1050'));
    expect(r.scaledAfter.toFixed()).toBe('0');
    expect(r.scaledPaid.toFixed()).toBe('1000');
    expect(r.principalPaid.toFixed()).toBe('1000');
    expect(r.principalAfter.toFixed()).toBe('0');
    expect(entries(r)).toEqual([
      ['account:acc-1:debt', 'USDC', '-1000'],
      ['market:interest_receivable', 'USDC', '-50'],
    ]);
  });

  it('one unit short of the outstanding debt leaves one unit owed', () => {
    const r = repaymentOf(row('1000', '1000'), 6, INDEX, dec('1049.999999'));
    expect(r.principalPaid.toFixed()).toBe('999.999999'); // 1049.999999 − 50 of interest
    expect(r.principalAfter.toFixed()).toBe('0.000001');
    // 1000 − 1049.999999 / 1.05 = 0.000000952380952380… rounded down at 30 decimals; × 1.05 ≈ 0.000001
    expect(r.scaledAfter.toFixed()).toBe('0.00000095238095238095238095238');
    expect(r.scaledAfter.times(INDEX).toDecimalPlaces(6, 0).toFixed()).toBe('0.000001'); // ROUND_UP: still owes 1 unit
  });

  it('rounds the outstanding debt up to the unit: the rounded figure is what clears the loan', () => {
    // 1 × 1.0000000001 = 1.0000000001 → 1.000001 USDC owed (rounded up at 6 decimals), 0.000001 of it interest.
    const index = dec('1.0000000001');
    const full = repaymentOf(row('1', '1'), 6, index, dec('1.000001'));
    expect(full.scaledAfter.toFixed()).toBe('0');
    expect(full.principalPaid.toFixed()).toBe('1');
    expect(entries(full)).toEqual([
      ['account:acc-1:debt', 'USDC', '-1'],
      ['market:interest_receivable', 'USDC', '-0.000001'],
    ]);
    const partial = repaymentOf(row('1', '1'), 6, index, dec('1'));
    expect(partial.principalPaid.toFixed()).toBe('0.999999'); // 1 − 0.000001 of interest
    expect(partial.principalAfter.toFixed()).toBe('0.000001');
    // 1 − 1 / 1.0000000001 = 10^-10 − 10^-20 + 10^-30 − 10^-40 + … rounded down at 30 decimals = 10^-10 − 10^-20
    expect(partial.scaledAfter.toFixed()).toBe('0.00000000009999999999');
  });

  it('without interest, a repayment is all principal and books nothing to interest', () => {
    const r = repaymentOf(row('500', '500'), 6, dec(1), dec('200'));
    expect(entries(r)).toEqual([['account:acc-1:debt', 'USDC', '-200']]);
    expect(r.principalAfter.toFixed()).toBe('300');
    expect(r.scaledAfter.toFixed()).toBe('300');
    expect(r.scaledPaid.toFixed()).toBe('200');
  });

  it('never counts negative interest: principal above the debt (dust) is repaid as principal', () => {
    // 999.99 owed on a principal of 1000: interest due is max(999.99 − 1000, 0) = 0.
    const r = repaymentOf(row('999.99', '1000'), 6, dec(1), dec('100'));
    expect(entries(r)).toEqual([['account:acc-1:debt', 'USDC', '-100']]);
    expect(r.principalAfter.toFixed()).toBe('900');
  });
});
