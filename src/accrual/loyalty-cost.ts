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
    const supplied = dayAverageScaled(lane.start.totalSupplyScaled, lane.start.supplyScaledMs).times(lane.start.supplyIndex);
    const borrowed = dayAverageScaled(lane.start.totalBorrowScaled, lane.start.borrowScaledMs).times(lane.start.borrowIndex);
    cost = cost
      .plus(supplied.times(lane.supplyApr.minus(day.supplyApr)).div(365))
      .plus(borrowed.times(day.borrowApr.minus(lane.borrowApr)).div(365));
  }
  return cost;
}
