import { Decimal, ZERO } from '../common/money/decimal.js';
import type { ClosedDay } from '../markets/market-state.js';

/**
 * What a closed day's loyalty tiers cost the platform (exact, in the asset): in every lane, the
 * interest its suppliers earned above the market's own supply rate, plus the interest its
 * borrowers did not pay below the market's own borrow rate. Each lane's day is simple interest
 * on its value at 00:00 (index × scaled), the same arithmetic as nextDayIndex, so the base
 * lane's cost is zero.
 */
export function loyaltyCostOf(day: ClosedDay): Decimal {
  let cost = ZERO;
  for (const lane of day.lanes) {
    const supplied = lane.start.totalSupplyScaled.times(lane.start.supplyIndex);
    const borrowed = lane.start.totalBorrowScaled.times(lane.start.borrowIndex);
    cost = cost
      .plus(supplied.times(lane.supplyApr.minus(day.supplyApr)).div(365))
      .plus(borrowed.times(day.borrowApr.minus(lane.borrowApr)).div(365));
  }
  return cost;
}
