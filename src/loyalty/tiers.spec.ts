import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { laneRates, tierFor } from './tiers.js';

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

  it('adds the supply bonus and takes the borrow discount off, never below zero', () => {
    const market = { supplyApr: dec('0.012'), borrowApr: dec('0.07') };
    expect(laneRates(market, 'base')).toEqual({ supplyApr: dec('0.012'), borrowApr: dec('0.07') });
    expect(laneRates(market, 'silver')).toEqual({ supplyApr: dec('0.017'), borrowApr: dec('0.06') });
    expect(laneRates(market, 'gold').borrowApr.toFixed()).toBe('0.02');
    expect(laneRates(market, 'platinum')).toEqual({ supplyApr: dec('0.032'), borrowApr: dec('0') });
  });
});
