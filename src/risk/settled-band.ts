import { Decimal } from '../common/money/decimal.js';
import type { MarketState } from '../markets/market-state.js';
import type { LiveIndexes } from '../markets/market-state.js';

/**
 * An account last seen at its margin call is "settled" when a review now would do nothing: it
 * is still past its margin-call level, still short of its liquidation level, and (with warning
 * levels) still at or above the highest of them, where it was last seen. Its review would only
 * write back the same row (no notice: a margin call is sent once per crossing from healthy; no
 * liquidation), so a sweep need not review it. After a crash thousands of accounts sit at their
 * margin call for weeks: reviewing each of them twice a day, to find nothing, was most of the
 * 100,000-position year (bench/year.ts).
 *
 * The test must never call an account settled that a review would act on, so every figure is
 * bounded on the safe side: the search multiplies scaled amounts by per-lane factors rounded
 * outwards at 12 decimals, adds for every loan the unit its outstanding is rounded up by and
 * takes off, from the liquidation level, the unit each position's amount is rounded down by
 * (positions.ts, loan-outstanding.ts), and keeps a relative room (SETTLED_ROOM) far above the
 * 64-digit divisions the review compares LTVs with. An account near a level is simply reviewed.
 */
export interface SettledFactors {
  asset: string;
  tier: string;
  /** borrow index × price: the debt's lower bound (rounded down) and upper bound (up). */
  debtLow: Decimal;
  debtHigh: Decimal;
  /** One unit of the asset × price, rounded up: the most a loan's rounding up adds. */
  debtUnit: Decimal;
  /** supply index × price × margin-call LTV, rounded up: the margin-call level's upper bound. */
  marginHigh: Decimal;
  /** supply index × price × liquidation LTV, rounded down; and one unit × price × liquidation LTV, up. */
  liquidationLow: Decimal;
  liquidationUnit: Decimal;
  /** supply index × price, rounded up: the collateral's upper bound (positions round down). */
  collateralHigh: Decimal;
}

const FACTOR_DECIMALS = 12;

/** Room kept between a figure and a level: far above every rounding above, far below any real move. */
export const SETTLED_ROOM = new Decimal('1e-9');

export function settledFactors(market: Pick<MarketState, 'asset' | 'decimals' | 'risk'>, tier: string, lane: LiveIndexes, price: Decimal): SettledFactors {
  const up = (d: Decimal) => d.toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_UP);
  const down = (d: Decimal) => d.toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_DOWN);
  const debt = lane.borrowIndex.times(price);
  const supply = lane.supplyIndex.times(price);
  const unit = new Decimal(10).pow(-market.decimals).times(price);
  return {
    asset: market.asset,
    tier,
    debtLow: down(debt),
    debtHigh: up(debt),
    debtUnit: up(unit),
    marginHigh: up(supply.times(market.risk.marginCallLtv)),
    liquidationLow: down(supply.times(market.risk.liquidationLtv)),
    liquidationUnit: up(unit.times(market.risk.liquidationLtv)),
    collateralHigh: up(supply),
  };
}
