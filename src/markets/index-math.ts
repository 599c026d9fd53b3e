import { Decimal, ONE } from '../common/money/decimal.js';

/**
 * Interest indexes (api-contract, Time and interest). Within day D an index grows pro rata at
 * D's rate; at each 00:00 it compounds:
 *   index(t on D)      = index(00:00 of D) × (1 + APR_D × elapsed / 365 days)
 *   index(00:00 of D+1) = index(00:00 of D) × (1 + APR_D / 365)
 * Year = 365 days (ACT/365 Fixed). Stored indexes keep 40 decimal places.
 */
export const INDEX_DECIMALS = 40;
/** Scaled amounts (amount / index) keep 30 decimal places. */
export const SCALED_DECIMALS = 30;
const MS_PER_YEAR = new Decimal(365 * 86_400_000);

export function indexAt(indexAtDayStart: Decimal, apr: Decimal, elapsedMs: number): Decimal {
  return indexAtDayStart.times(ONE.plus(apr.times(elapsedMs).div(MS_PER_YEAR)));
}

export function nextDayIndex(indexAtDayStart: Decimal, apr: Decimal): Decimal {
  // At 0 % (an empty market's lanes, a borrow discount floored at zero) the factor is 1, and
  // × 1 only rounds to the precision, which an index (60 digits at most) is already within.
  const grown = apr.isZero() ? indexAtDayStart : indexAtDayStart.times(dayGrowth(apr));
  return grown.toDecimalPlaces(INDEX_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

/** Past this many rates the memo below starts again (a year of one market's changing rates). */
const GROWTH_MEMO_SIZE = 4096;
const growthMemo = new Map<string, Decimal>();

/**
 * 1 + APR / 365, the factor an index compounds by at 00:00, memoised by the rate's digits: the
 * same rate gives the same factor, and the division was much of a day's close, which a quiet
 * stretch runs hundreds of times at rates that rarely move (an empty market's, a tier's bonus).
 */
function dayGrowth(apr: Decimal): Decimal {
  const key = apr.toString();
  let growth = growthMemo.get(key);
  if (growth === undefined) {
    if (growthMemo.size >= GROWTH_MEMO_SIZE) growthMemo.clear();
    growth = ONE.plus(apr.div(365));
    growthMemo.set(key, growth);
  }
  return growth;
}

/**
 * A deposit's scaled amount rounds up at the 30th decimal so that scaled × index is never
 * below what was deposited: the position shows exactly the amount deposited. A loan's scaled
 * debt rounds down for the same reason: its outstanding shows exactly what was borrowed.
 * Either way the difference is under 10^-29 of a unit.
 */
export function scaledSupply(amount: Decimal, index: Decimal): Decimal {
  return amount.div(index).toDecimalPlaces(SCALED_DECIMALS, Decimal.ROUND_UP);
}

export function scaledDebt(amount: Decimal, index: Decimal): Decimal {
  return amount.div(index).toDecimalPlaces(SCALED_DECIMALS, Decimal.ROUND_DOWN);
}
