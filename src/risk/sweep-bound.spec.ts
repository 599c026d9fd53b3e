import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { FullSearch, LaneFactors, nobodyNewPastLevel } from './sweep-bound.js';

const lane = (asset: string, debt: string, margin: string): LaneFactors => ({ asset, tier: 'base', debt: dec(debt), margin: dec(margin) });

/** A search in which the closest borrower owed 0.9 of its level: BTC collateral, USDC debt. */
const search: FullSearch = { lanes: [lane('BTC', '50000', '35000'), lane('USDC', '1', '0.7')], past: [], closest: dec('0.9') };

describe('nobodyNewPastLevel', () => {
  it('holds while the debt can have grown by less than the room left', () => {
    // A night's interest at 20 % a year on the debt: 1.000548 × 0.9 stays below 1.
    expect(nobodyNewPastLevel(search, [lane('BTC', '50000', '35000'), lane('USDC', '1.000548', '0.7')])).toBe(true);
    // A 10 % BTC price rise moves the margin factor up with the debt factor: still below.
    expect(nobodyNewPastLevel(search, [lane('BTC', '55000', '38500'), lane('USDC', '1', '0.7')])).toBe(true);
  });

  it('does not hold once the worst case reaches the level', () => {
    // BTC down 10 %: the closest borrower's level shrinks to 0.9 of what it was: 0.9 / 0.9 = 1.
    expect(nobodyNewPastLevel(search, [lane('BTC', '45000', '31500'), lane('USDC', '1', '0.7')])).toBe(false);
    // Debt up by 1/0.9 exactly: reaches the level, which counts as past it.
    expect(nobodyNewPastLevel(search, [lane('BTC', '50000', '35000'), lane('USDC', '1.111111111111111111', '0.7')])).toBe(false);
    // A lower margin-call level in the collateral market.
    expect(nobodyNewPastLevel(search, [lane('BTC', '50000', '30000'), lane('USDC', '1', '0.7')])).toBe(false);
  });

  it('does not hold when the lanes are not the ones the search used', () => {
    expect(nobodyNewPastLevel(search, [lane('BTC', '50000', '35000')])).toBe(false);
    expect(nobodyNewPastLevel(search, [lane('BTC', '50000', '35000'), lane('USDT', '1', '0.7')])).toBe(false);
    expect(nobodyNewPastLevel({ ...search, lanes: [lane('BTC', '50000', '0'), lane('USDC', '1', '0.7')] }, search.lanes)).toBe(false);
  });

  it('holds for any growth when no borrower was below its level', () => {
    expect(nobodyNewPastLevel({ ...search, closest: dec(0) }, [lane('BTC', '1', '1'), lane('USDC', '1000', '0.7')])).toBe(true);
  });
});
