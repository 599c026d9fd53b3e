import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { borrowRate, ratesAt, supplyRate, utilization, RateModel } from './rate-model.js';
import { indexAt, nextDayIndex, scaledDebt, scaledSupply } from './index-math.js';

const BTC: RateModel = {
  baseRate: dec('0'),
  optimalUtilization: dec('0.45'),
  slope1: dec('0.04'),
  slope2: dec('3'),
  reserveFactor: dec('0.2'),
};
const LAB: RateModel = { baseRate: dec('0.02'), optimalUtilization: dec('0.4'), slope1: dec('0.07'), slope2: dec('3'), reserveFactor: dec('0.35') };

describe('kinked rate curve', () => {
  it('is the base rate at U = 0, base + slope1 at the kink, base + slope1 + slope2 at U = 1', () => {
    expect(borrowRate(LAB, dec(0)).toFixed()).toBe('0.02');
    expect(borrowRate(LAB, dec('0.4')).toFixed()).toBe('0.09');
    expect(borrowRate(LAB, dec(1)).toFixed()).toBe('3.09');
  });

  it('is linear on each side of the kink', () => {
    // below: 0 + 0.04 × 0.3 / 0.45 = 0.026666…
    expect(borrowRate(BTC, dec('0.3')).toFixed(30)).toBe('0.026666666666666666666666666667');
    // above: 0 + 0.04 + 3 × (0.9 − 0.45)/(0.55) = 0.04 + 2.454545… = 2.494545…
    expect(borrowRate(BTC, dec('0.9')).toFixed(30)).toBe('2.494545454545454545454545454545');
  });

  it('prices utilisation above 1 as 1', () => {
    expect(borrowRate(BTC, dec('1.2')).eq(borrowRate(BTC, dec(1)))).toBe(true);
  });

  it('pays suppliers R × U × (1 − reserve factor): supply × supplied = borrow × borrowed × (1 − rf)', () => {
    const supplied = dec('1000');
    const borrowed = dec('600');
    const u = utilization(borrowed, supplied);
    const { borrowApr, supplyApr } = ratesAt(BTC, u);
    expect(supplyApr.times(supplied).toFixed(20)).toBe(borrowApr.times(borrowed).times('0.8').toFixed(20));
    expect(supplyRate(BTC, dec(0)).toFixed()).toBe('0');
  });

  it('answers a repeated utilisation as the first time, and a changed model anew', () => {
    const u = dec('0.3');
    const first = ratesAt(BTC, u);
    expect(ratesAt(BTC, dec('0.30'))).toEqual(first);
    expect(first.borrowApr.toFixed(30)).toBe('0.026666666666666666666666666667');
    // A model changed by the admin is a new object: its own rates, not the last ones remembered.
    expect(ratesAt({ ...BTC, slope1: dec('0.08') }, u).borrowApr.toFixed(30)).toBe('0.053333333333333333333333333333');
  });

  it('calls an empty market 0% utilised', () => {
    expect(utilization(dec(5), dec(0)).toFixed()).toBe('0');
  });

  it('measures utilisation of a market smaller than one unit too', () => {
    expect(utilization(dec('0.25'), dec('0.5')).toFixed()).toBe('0.5');
    expect(utilization(dec('1'), dec('1')).toFixed()).toBe('1');
    // Debt grown past supply: reported and priced as full (api-contract: U = min(1, borrowed / supplied)).
    expect(utilization(dec('1.0001'), dec('1')).toFixed()).toBe('1');
  });

  it('rounds the supply rate half-even at 30 decimals', () => {
    // borrow at U = 0.3: 0.026666…667 (30 decimals); × 0.3 × 0.8 = 0.00640000000000000000000000000008 → …000
    expect(supplyRate(BTC, dec('0.3')).toFixed(30)).toBe('0.006400000000000000000000000000');
  });
});

describe('indexes', () => {
  it('grow pro rata within a day and compound at 00:00', () => {
    const start = dec('1.5');
    const apr = dec('0.0365');
    // half a day at 3.65%: 1.5 × (1 + 0.0365 × 0.5 / 365) = 1.5 × 1.00005 = 1.500075
    expect(indexAt(start, apr, 43_200_000).toFixed()).toBe('1.500075');
    expect(nextDayIndex(start, apr).toFixed()).toBe('1.50015');
    expect(indexAt(start, apr, 86_400_000).eq(nextDayIndex(start, apr))).toBe(true);
  });

  it('keep their value at 0%, rounded to their 40 decimals as every index is', () => {
    expect(nextDayIndex(dec('1.2345'), dec(0)).toFixed()).toBe('1.2345');
    expect(nextDayIndex(dec('1.00000000000000000000000000000000000000005'), dec(0)).toFixed()).toBe('1');
    expect(nextDayIndex(dec('1.00000000000000000000000000000000000000015'), dec(0)).toFixed()).toBe('1.0000000000000000000000000000000000000002');
  });

  it('scales a deposit up and a loan down at the 30th decimal', () => {
    // 1 / 3 = 0.333…: up → …334, down → …333 (30 decimals)
    expect(scaledSupply(dec(1), dec(3)).toFixed()).toBe('0.333333333333333333333333333334');
    expect(scaledDebt(dec(1), dec(3)).toFixed()).toBe('0.333333333333333333333333333333');
  });

  it('scales so that a deposit shows exactly its amount and a loan exactly its debt', () => {
    const index = dec('1.000123456789012345678901234567');
    for (const amount of ['1', '0.00000001', '123456789.12345678', '0.000000000000000001']) {
      const supplied = scaledSupply(dec(amount), index).times(index);
      const owed = scaledDebt(dec(amount), index).times(index);
      expect(supplied.gte(amount)).toBe(true);
      expect(supplied.toDecimalPlaces(18, 1).toFixed()).toBe(dec(amount).toFixed()); // ROUND_DOWN
      expect(owed.lte(amount)).toBe(true);
      expect(owed.toDecimalPlaces(18, 0).toFixed()).toBe(dec(amount).toFixed()); // ROUND_UP
    }
  });
});
