import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { TIERS, allLaneRates, isTier, laneRates } from './tier-lanes.js';

describe('tier lanes', () => {
  it('adds the supply bonus and takes the borrow discount off, never below zero', () => {
    const market = { supplyApr: dec('0.012'), borrowApr: dec('0.07') };
    expect(laneRates(market, 'base')).toEqual({ supplyApr: dec('0.012'), borrowApr: dec('0.07') });
    expect(laneRates(market, 'silver')).toEqual({ supplyApr: dec('0.017'), borrowApr: dec('0.06') });
    expect(laneRates(market, 'gold').borrowApr.toFixed()).toBe('0.02');
    expect(laneRates(market, 'platinum')).toEqual({ supplyApr: dec('0.032'), borrowApr: dec('0') });
  });

  it('gives each tier its own supply bonus and borrow discount', () => {
    const market = { supplyApr: dec('0.03'), borrowApr: dec('0.2') };
    const show = (tier: 'base' | 'silver' | 'gold' | 'platinum') => {
      const r = laneRates(market, tier);
      return [r.supplyApr.toFixed(), r.borrowApr.toFixed()];
    };
    expect(show('base')).toEqual(['0.03', '0.2']);
    expect(show('silver')).toEqual(['0.035', '0.19']); //   +0.5 %, −1 %
    expect(show('gold')).toEqual(['0.04', '0.15']); //      +1 %,   −5 %
    expect(show('platinum')).toEqual(['0.05', '0.12']); //  +2 %,   −8 %
  });

  it('takes the discount off down to zero exactly, never below', () => {
    expect(laneRates({ supplyApr: dec('0.01'), borrowApr: dec('0.08') }, 'platinum').borrowApr.toFixed()).toBe('0');
    expect(laneRates({ supplyApr: dec('0.01'), borrowApr: dec('0.0801') }, 'platinum').borrowApr.toFixed()).toBe('0.0001');
    expect(laneRates({ supplyApr: dec('0.01'), borrowApr: dec('0.03') }, 'gold').borrowApr.toFixed()).toBe('0');
  });

  it('gives every lane its rates at once, the same whether worked out or remembered', () => {
    const market = { supplyApr: dec('0.012'), borrowApr: dec('0.07') };
    const first = allLaneRates(market);
    for (const tier of TIERS) expect(first[tier]).toEqual(laneRates(market, tier));
    // Equal rates in other objects (the next day of a market whose rates did not move): the same answer.
    expect(allLaneRates({ supplyApr: dec('0.0120'), borrowApr: dec('0.07') })).toBe(first);
    expect(allLaneRates({ supplyApr: dec('0.012'), borrowApr: dec('0.0701') }).silver.borrowApr.toFixed()).toBe('0.0601');
  });

  it('knows its tiers by name', () => {
    expect(TIERS).toEqual(['base', 'silver', 'gold', 'platinum']);
    for (const tier of TIERS) expect(isTier(tier)).toBe(true);
    for (const other of ['Base', 'diamond', '', 1, null, undefined, {}]) expect(isTier(other)).toBe(false);
  });
});
