import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { LOYALTY_TOKEN, MINIMUM_PORTFOLIO_USD, tierFor } from './tiers.js';

describe('loyalty tiers', () => {
  it('reads the tier from the LAB share of the collateral value, at each threshold exactly', () => {
    expect(tierFor(dec('49.99'), dec('5000'))).toBe('base');
    expect(tierFor(dec('50'), dec('5000'))).toBe('silver');
    expect(tierFor(dec('249.99'), dec('5000'))).toBe('silver');
    expect(tierFor(dec('250'), dec('5000'))).toBe('gold');
    expect(tierFor(dec('500'), dec('5000'))).toBe('platinum');
    expect(tierFor(dec('5000'), dec('5000'))).toBe('platinum');
  });

  it('keeps portfolios under $5,000 at base, whatever their share', () => {
    expect(tierFor(dec('4999.99'), dec('4999.99'))).toBe('base');
    expect(tierFor(dec('0'), dec('0'))).toBe('base');
  });
});

describe('loyalty tier rules (each boundary on both sides)', () => {
  // tierFor(LAB value, collateral value with LAB in it), both USD.
  it.each([
    ['49.99', '5000', 'base'], //     0.9998 % < 1 %
    ['50', '5000', 'silver'], //      1 % exactly
    ['249.99', '5000', 'silver'], //  4.9998 % < 5 %
    ['250', '5000', 'gold'], //       5 % exactly
    ['499.99', '5000', 'gold'], //    9.9998 % < 10 %
    ['500', '5000', 'platinum'], //   10 % exactly
    ['1000', '10000', 'platinum'],
    ['99.99', '10000', 'base'],
    ['100', '10000', 'silver'],
  ])('LAB worth %s in %s of collateral is %s', (lab, total, tier) => {
    expect(tierFor(dec(lab), dec(total))).toBe(tier);
  });

  it('needs a portfolio of at least $5,000: 4,999.99 is base however much LAB, 5,000 is not', () => {
    expect(tierFor(dec('499.999'), dec('4999.99'))).toBe('base'); // 10 % of a portfolio under the minimum
    expect(tierFor(dec('500'), dec('5000'))).toBe('platinum');
    expect(tierFor(dec('50'), dec('5000'))).toBe('silver');
  });

  it('counts LAB in the collateral total: 100 of LAB with 4,900 of other collateral is a $5,000 portfolio at 2 %', () => {
    // Left out of the total, the portfolio would be 4,900 (under the minimum): base.
    expect(tierFor(dec('100'), dec('4900').plus('100'))).toBe('silver');
    // 476.19 of LAB with 4,523.81 of other collateral: 476.19 / 5000 = 9.5238 % → gold
    // (over the other collateral alone it would be 10.53 %, platinum).
    expect(tierFor(dec('476.19'), dec('4523.81').plus('476.19'))).toBe('gold');
  });

  it('knows its token and minimum portfolio', () => {
    expect(LOYALTY_TOKEN).toBe('LAB');
    expect(MINIMUM_PORTFOLIO_USD.toFixed()).toBe('5000');
  });
});
