import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import type { ClosedDay, Lane, LaneDay, MarketState } from '../markets/market-state.js';
import type { Tier } from '../markets/tier-lanes.js';
import { loyaltyCostOf } from './loyalty-cost.js';

// The market's own rates for the day: supply 3.65 %, borrow 7.3 % (so that APR / 365 is 0.0001 and 0.0002).
const SUPPLY = dec('0.0365');
const BORROW = dec('0.073');
const lane = (supplyIndex: string, borrowIndex: string, s: string, b: string, sMs = '0', bMs = '0'): Lane => ({
  supplyIndex: dec(supplyIndex),
  borrowIndex: dec(borrowIndex),
  totalSupplyScaled: dec(s),
  totalBorrowScaled: dec(b),
  supplyScaledMs: dec(sMs),
  borrowScaledMs: dec(bMs),
});
const laneDay = (tier: Tier, supplyApr: string, borrowApr: string, start: Lane): LaneDay => ({
  tier,
  supplyApr: dec(supplyApr),
  borrowApr: dec(borrowApr),
  start,
  supplyIndexEnd: start.supplyIndex,
  borrowIndexEnd: start.borrowIndex,
});
const day = (lanes: LaneDay[]): ClosedDay => ({ date: '2026-03-01', utilization: dec('0.5'), supplyApr: SUPPLY, borrowApr: BORROW, lanes, supplied: dec(0), borrowed: dec(0), next: {} as MarketState });
const near = (actual: Decimal, expected: Decimal) => expect(actual.minus(expected).abs().lte(dec(10).pow(-55))).toBe(true);

describe('what loyalty tiers cost the platform in a day', () => {
  it('is nothing in the base lane, whatever it holds', () => {
    expect(loyaltyCostOf(day([laneDay('base', '0.0365', '0.073', lane('1.2', '1.5', '1000', '500'))])).isZero()).toBe(true);
  });

  it('is the extra supply interest and the borrow interest not charged, each lane at its own index, / 365', () => {
    // silver: 100 scaled × 1.1 × (0.0415 − 0.0365) / 365 = 0.55 / 365 more paid to suppliers
    //         50 scaled × 1.3 × (0.073 − 0.063) / 365 = 0.65 / 365 less charged to borrowers
    const cost = loyaltyCostOf(day([laneDay('base', '0.0365', '0.073', lane('1', '1', '1000', '500')), laneDay('silver', '0.0415', '0.063', lane('1.1', '1.3', '100', '50'))]));
    near(cost, dec('1.2').div(365));
  });

  it('counts a balance that moved within the day for the time it was in the lane', () => {
    // gold: 200 scaled at the end, 100 of it supplied at 12:00 (Σ Δs·t = 100 × 43,200,000 ms): 150 on average;
    //   150 × 1 × (0.0465 − 0.0365) / 365 = 1.5 / 365
    // platinum: 100 scaled borrowed at 18:00 (Σ Δs·t = 100 × 64,800,000 ms): 25 on average, borrowing at 0:
    //   25 × 1 × (0.073 − 0) / 365 = 1.825 / 365
    const cost = loyaltyCostOf(
      day([
        laneDay('gold', '0.0465', '0.023', lane('1', '1', '200', '0', String(100 * 43_200_000))),
        laneDay('platinum', '0.0565', '0', lane('1', '1', '0', '100', '0', String(100 * 64_800_000))),
      ]),
    );
    near(cost, dec('3.325').div(365));
  });

  it('adds up every lane', () => {
    const cost = loyaltyCostOf(
      day([
        laneDay('base', '0.0365', '0.073', lane('1.2', '1.5', '1000', '500')),
        laneDay('silver', '0.0415', '0.063', lane('1.1', '1.3', '100', '50')),
        laneDay('gold', '0.0465', '0.023', lane('1', '1', '200', '0', String(100 * 43_200_000))),
        laneDay('platinum', '0.0565', '0', lane('1', '1', '0', '100', '0', String(100 * 64_800_000))),
      ]),
    );
    near(cost, dec('4.525').div(365)); // (0.55 + 0.65 + 1.5 + 1.825) / 365
  });
});
