import { Decimal, ZERO } from '../common/money/decimal.js';
import { ClosedDay, dayAverageScaled } from '../markets/market-state.js';

/**
 * What a closed day's loyalty tiers cost the platform (exact, in the asset): in every lane, the
 * interest its suppliers earned above the market's own supply rate, plus the interest its
 * borrowers did not pay below the market's own borrow rate, each balance for the time it was
 * in the lane (api-contract, Time and interest). Within a day a scaled balance s earns
 * s × index(00:00) × apr × time / 365 days (indexes grow pro rata), so a lane's cost is its
 * day-average scaled balance × index(00:00) × the rate difference / 365. The base lane's is zero.
 */
export function loyaltyCostOf(day: ClosedDay): Decimal {
  let cost = ZERO;
  for (const lane of day.lanes) {
    const supplied = laneSideCost(lane.start.totalSupplyScaled, lane.start.supplyScaledMs, lane.start.supplyIndex, () => lane.supplyApr.minus(day.supplyApr));
    const borrowed = laneSideCost(lane.start.totalBorrowScaled, lane.start.borrowScaledMs, lane.start.borrowIndex, () => day.borrowApr.minus(lane.borrowApr));
    if (supplied !== ZERO) cost = cost.plus(supplied);
    if (borrowed !== ZERO) cost = cost.plus(borrowed);
  }
  return cost;
}

/**
 * One side of a lane: its day-average balance × index(00:00) × the rate difference / 365. An
 * empty side, or one at the market's own rate (the base lane, a borrow discount floored at
 * zero), costs exactly zero and is not multiplied out: adding that zero to the total changes
 * nothing, and it was most of a quiet stretch's closes.
 */
function laneSideCost(totalScaled: Decimal, scaledMs: Decimal, index: Decimal, rateAbove: () => Decimal): Decimal {
  if (totalScaled.isZero() && scaledMs.isZero()) return ZERO;
  const difference = rateAbove();
  if (difference.isZero()) return ZERO;
  return dayAverageScaled(totalScaled, scaledMs).times(index).times(difference).div(365);
}
