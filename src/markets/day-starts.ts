import type { Tx } from '../prisma/prisma.service.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { addDays, dayStart } from '../clock/dates.js';
import { LiveMarket, MarketState, liveAt } from './market-state.js';
import { TIERS, Tier, isTier } from './tier-lanes.js';

/**
 * Markets as they stood at past day starts (00:00 UTC of a day, once that instant's work, the
 * close, the tier changes and the risk sweep, was done), rebuilt from what is stored over time:
 * read by the history endpoints, so that a client that skipped days (a scenario advancing a
 * quiet stretch in one call) can still show each of them as it was.
 *
 * At 00:00 of D no time of D has elapsed, so each lane's indexes are the ones its day D − 1
 * ended with (market_lane_days of D − 1; index-math: index(00:00 of D) = end of D − 1).
 */

/** Each lane's indexes at 00:00 of a day. */
export type LaneIndexes = Record<Tier, { supplyIndex: Decimal; borrowIndex: Decimal }>;

/**
 * For every day from `from` to `to` whose previous day is accrued (by any market): asset → each
 * lane's indexes at that day's 00:00 (the previous day's end), for the markets of `assets`. A day
 * accrued with none of them is listed with no markets. The days are read from market_days, whose
 * rows a close writes in the same statement as the day's lanes (saveClosedDays): a market listed
 * on a day has all its lanes. One statement for every market and day;
 * only the markets asked for are read and parsed (a year of every lane of every market is
 * 8,760 rows: most of an account history's time when it read them all).
 */
export async function laneIndexesAtDayStarts(tx: Tx, from: string, to: string, assets: string[]): Promise<Map<string, Map<string, LaneIndexes>>> {
  const rows = await tx.$queryRaw<{ date: string; asset: string | null; tier: string | null; supply_index: string | null; borrow_index: string | null }[]>`
    SELECT to_char(d.date + 1, 'YYYY-MM-DD') AS date, l.asset, l.tier, l.supply_index::text, l.borrow_index::text
    FROM (SELECT DISTINCT date FROM market_days WHERE date >= ${addDays(from, -1)}::date AND date <= ${addDays(to, -1)}::date) d
    LEFT JOIN market_lane_days l ON l.date = d.date AND l.asset = ANY(${assets}::text[])
    ORDER BY d.date, l.asset, l.tier`;
  const days = new Map<string, Map<string, LaneIndexes>>();
  for (const row of rows) {
    const markets = days.get(row.date) ?? new Map<string, LaneIndexes>();
    days.set(row.date, markets);
    if (row.asset === null || row.tier === null || !isTier(row.tier)) continue;
    const lanes = markets.get(row.asset) ?? ({} as LaneIndexes);
    markets.set(row.asset, lanes);
    lanes[row.tier] = { supplyIndex: dec(row.supply_index!), borrowIndex: dec(row.borrow_index!) };
  }
  // A day some lane of a market is missing for is not known (never, as each close writes them all).
  for (const markets of days.values()) for (const [a, lanes] of markets) if (!TIERS.every((tier) => lanes[tier])) markets.delete(a);
  return days;
}

/** A lane's scaled sums at a day's 00:00. */
type LaneTotals = Record<Tier, { supply: Decimal; borrow: Decimal }>;

/**
 * The market's scaled sums per lane at 00:00 of each day up to `to`, derived from the change
 * history of its positions and loans (the sums kept on market_lanes are only the current ones):
 * each change adds its scaled amount to its lane and takes the holding's previous amount out of
 * the lane it was in, so the sum of the changes up to an instant is exactly what every movement
 * added to the lanes' sums up to then (they move by the same scaled amounts). A change counts
 * from the first 00:00 at or after it. SQL on purpose: one pass over the asset's changes,
 * summed per day in the database, whatever the number of days.
 */
/** Returns the sums at a day's 00:00, for days asked in ascending order. */
async function laneTotalsAtDayStarts(tx: Tx, asset: string, to: string): Promise<(day: string) => LaneTotals> {
  const rows = await tx.$queryRaw<{ side: 'supply' | 'borrow'; tier: string; first_day: string; total: string }[]>`
    WITH changes AS (
      SELECT 'supply' AS side, c.at, c.tier, c.scaled_after AS scaled,
             lag(c.scaled_after) OVER w AS prev_scaled, lag(c.tier) OVER w AS prev_tier
      FROM position_changes c JOIN positions p ON p.id = c.position_id
      WHERE p.asset = ${asset} AND c.at <= ${dayStart(to)}
      WINDOW w AS (PARTITION BY c.position_id ORDER BY c.at, c.id)
      UNION ALL
      SELECT 'borrow' AS side, c.at, c.tier, c.scaled_after AS scaled,
             lag(c.scaled_after) OVER w AS prev_scaled, lag(c.tier) OVER w AS prev_tier
      FROM loan_changes c JOIN loans l ON l.id = c.loan_id
      WHERE l.asset = ${asset} AND c.at <= ${dayStart(to)}
      WINDOW w AS (PARTITION BY c.loan_id ORDER BY c.at, c.id)
    ), moves AS (
      SELECT side, at, tier, scaled AS delta FROM changes
      UNION ALL
      SELECT side, at, prev_tier, -prev_scaled FROM changes WHERE prev_scaled IS NOT NULL
    ), per_day AS (
      -- The first day whose 00:00 is at or after the change.
      SELECT side, tier, ((at AT TIME ZONE 'UTC') - interval '1 microsecond')::date + 1 AS first_day, sum(delta) AS delta
      FROM moves GROUP BY 1, 2, 3
    )
    SELECT side, tier, to_char(first_day, 'YYYY-MM-DD') AS first_day,
           (sum(delta) OVER (PARTITION BY side, tier ORDER BY first_day))::text AS total
    FROM per_day ORDER BY first_day`;
  // Asked for days in ascending order: the rows are walked once, each parsed once.
  const totals = Object.fromEntries(TIERS.map((tier) => [tier, { supply: ZERO, borrow: ZERO }])) as LaneTotals;
  let next = 0;
  let asked = '';
  return (day) => {
    if (day < asked) throw new Error(`lane totals asked for ${day} after ${asked}: days must come in order`);
    asked = day;
    for (; next < rows.length && rows[next].first_day <= day; next += 1) {
      const row = rows[next];
      if (isTier(row.tier)) totals[row.tier][row.side] = dec(row.total);
    }
    return Object.fromEntries(TIERS.map((tier) => [tier, { ...totals[tier] }])) as LaneTotals;
  };
}

/**
 * The market as GET /v1/markets showed it at 00:00 of each day from `from` to `to` (those whose
 * previous day is accrued; the others are absent): the state of that instant put together
 * (lane indexes, lane sums, the day's rates from `ratesOf`) and read by the same `liveAt`.
 * The model, levels and decimals are the market's current ones (they do not enter these figures).
 */
export async function marketsAtDayStarts(
  tx: Tx,
  market: MarketState,
  from: string,
  to: string,
  ratesOf: (day: string) => { dayUtilization: Decimal; supplyApr: Decimal; borrowApr: Decimal } | undefined,
): Promise<Map<string, LiveMarket>> {
  // In turn, not side by side: on one pooled connection at a time (see AccountHistoryService).
  const indexes = await laneIndexesAtDayStarts(tx, from, to, [market.asset]);
  const totalsOn = await laneTotalsAtDayStarts(tx, market.asset, to);
  const live = new Map<string, LiveMarket>();
  for (const [day, markets] of indexes) {
    const lanes = markets.get(market.asset);
    const rates = ratesOf(day);
    if (!lanes || !rates) continue;
    const totals = totalsOn(day);
    const state: MarketState = {
      ...market,
      ...rates,
      indexDay: day,
      lanes: Object.fromEntries(
        TIERS.map((tier) => [
          tier,
          { ...lanes[tier], totalSupplyScaled: totals[tier].supply, totalBorrowScaled: totals[tier].borrow, supplyScaledMs: ZERO, borrowScaledMs: ZERO },
        ]),
      ) as MarketState['lanes'],
    };
    live.set(day, liveAt(state, dayStart(day)));
  }
  return live;
}
