import { Decimal, ONE } from '../common/money/decimal.js';

/**
 * One lane's factors in a risk search: an account's debt is Σ scaled debt × `debt` and its
 * margin-call level Σ scaled supply × `margin`, over the lanes of its tier (risk-sweep.service.ts).
 */
export interface LaneFactors {
  asset: string;
  tier: string;
  debt: Decimal;
  margin: Decimal;
}

/**
 * What a full search saw: its lanes' factors, the accounts at or past their level, and the
 * highest debt / level among every other borrower (0 when there is none).
 */
export interface FullSearch {
  lanes: LaneFactors[];
  past: string[];
  closest: Decimal;
}

/**
 * Room kept between the bound and the level, far above the rounding of the search's own
 * figures (factors to 12 decimals on values of 1 and more, a ratio to 16 significant digits).
 */
const MARGIN = new Decimal('1e-9');

/**
 * Whether, with every holding as it was at `search` (same scaled amounts, same tiers), no
 * borrower the search found below its level can be at or past it with the lanes' factors now
 * `lanes`. Each borrower's debt has grown by at most the largest growth of a debt factor, and
 * its level shrunk by at most the largest fall of a margin factor, so its debt / level is at
 * most `closest × most debt growth / least margin growth`: below 1, nobody new is past a level
 * and only `search.past` can be. False whenever the lanes are not the same set, or a factor
 * was zero (no ratio to bound with).
 */
export function nobodyNewPastLevel(search: FullSearch, lanes: LaneFactors[]): boolean {
  if (lanes.length !== search.lanes.length) return false;
  const before = new Map(search.lanes.map((lane) => [`${lane.asset}|${lane.tier}`, lane]));
  let debtGrowth = new Decimal(0);
  let marginGrowth: Decimal | undefined;
  for (const lane of lanes) {
    const then = before.get(`${lane.asset}|${lane.tier}`);
    if (!then || then.debt.lte(0) || then.margin.lte(0)) return false;
    debtGrowth = Decimal.max(debtGrowth, lane.debt.div(then.debt));
    const growth = lane.margin.div(then.margin);
    marginGrowth = marginGrowth === undefined ? growth : Decimal.min(marginGrowth, growth);
  }
  if (marginGrowth === undefined || marginGrowth.lte(0)) return false;
  return search.closest.times(debtGrowth).times(ONE.plus(MARGIN)).lt(marginGrowth);
}
