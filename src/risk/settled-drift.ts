import { Decimal, ONE } from '../common/money/decimal.js';
import { SettledFactors } from './settled-band.js';
import type { LaneFactors } from './sweep-bound.js';

/**
 * Room beyond the settled test (settled-band.ts) that makes an account "firmly settled": every
 * comparison of the test holds with its level moved by this much further against the account.
 * A tenth of a percent: a few days of interest at ordinary rates, so that after a search that
 * found an account firmly settled, the next sweeps that only interest moved (the 00:00 one after
 * a price's) need not value it again; any price move larger than that values it afresh.
 */
export const FIRM_ROOM = new Decimal('1e-3');

/** Room kept for the rounding of the growths' divisions below (64 significant digits). */
const DIVISION_ROOM = new Decimal('1e-9');

/**
 * Whether every account firm with the lanes `then` is still as it was with the lanes `now` (the
 * same holdings, and each still at the status and warning level it was firm at): each one firmly
 * settled still settled (`stillSettled`), and each one firmly below its level (its debt times
 * 1 + FIRM_ROOM still below it) still below: its debt grew by at most the most growth of a
 * debt factor, its level by at least the least growth of a margin factor.
 */
export function stillFirm(then: (LaneFactors & { settled: SettledFactors })[], now: (LaneFactors & { settled: SettledFactors })[]): boolean {
  if (!stillSettled(then.map((l) => l.settled), now.map((l) => l.settled))) return false;
  const before = new Map(then.map((lane) => [`${lane.asset}|${lane.tier}`, lane]));
  let debtGrowth = new Decimal(0);
  let marginGrowth: Decimal | undefined;
  for (const lane of now) {
    const was = before.get(`${lane.asset}|${lane.tier}`)!;
    if (!was.debt.gt(0) || !was.margin.gt(0) || !lane.margin.gt(0)) return false;
    debtGrowth = Decimal.max(debtGrowth, lane.debt.div(was.debt));
    const growth = lane.margin.div(was.margin);
    marginGrowth = marginGrowth === undefined ? growth : Decimal.min(marginGrowth, growth);
  }
  return debtGrowth.div(marginGrowth!).times(ONE.plus(DIVISION_ROOM)).lte(ONE.plus(FIRM_ROOM));
}

/**
 * Whether an account firmly settled with the settled factors `then` (and the same holdings, still
 * at its margin call at the same warning level) is still settled with the factors `now`.
 *
 * Each figure of the settled test is a sum over the account's holdings of a scaled amount times a
 * lane's factor (or of a per-holding unit), so it grows by at most the largest growth of that
 * factor among the lanes and at least by the least: the test's three comparisons
 *   debt low ≥ margin-call high × room,  debt high × room + Σ units < Σ collateral × liquidation low,
 *   debt low ≥ collateral high × top warning × room
 * still hold when, for each, (most growth of the side that must stay lower) / (least growth of
 * the side that must stay higher) is at most 1 + FIRM_ROOM, the room the firm test kept
 * (risk-sweep.service.ts multiplies the lower sides by it). False when the lanes are not the
 * same set, or a factor was not positive (no growth to bound with).
 */
export function stillSettled(then: SettledFactors[], now: SettledFactors[]): boolean {
  if (then.length === 0 || then.length !== now.length) return false;
  const before = new Map(then.map((lane) => [`${lane.asset}|${lane.tier}`, lane]));
  let least: { debtLow: Decimal; liquidationLow: Decimal } | undefined;
  const most = { marginHigh: new Decimal(0), debtHigh: new Decimal(0), collateralHigh: new Decimal(0) };
  for (const lane of now) {
    const was = before.get(`${lane.asset}|${lane.tier}`);
    if (!was) return false;
    const growth = (f: (s: SettledFactors) => Decimal): Decimal | undefined => (f(was).gt(0) && f(lane).gt(0) ? f(lane).div(f(was)) : undefined);
    const debtLow = growth((s) => s.debtLow);
    const liquidationLow = growth((s) => s.liquidationLow);
    const others = [growth((s) => s.marginHigh), growth((s) => s.debtHigh), growth((s) => s.debtUnit), growth((s) => s.liquidationUnit), growth((s) => s.collateralHigh)];
    if (!debtLow || !liquidationLow || others.some((g) => g === undefined)) return false;
    const [marginHigh, debtHigh, debtUnit, liquidationUnit, collateralHigh] = others as Decimal[];
    least = least ? { debtLow: Decimal.min(least.debtLow, debtLow), liquidationLow: Decimal.min(least.liquidationLow, liquidationLow) } : { debtLow, liquidationLow };
    most.marginHigh = Decimal.max(most.marginHigh, marginHigh);
    // The debt's upper bound and the units taken off the liquidation level: both on the lower side.
    most.debtHigh = Decimal.max(most.debtHigh, debtHigh, debtUnit, liquidationUnit);
    most.collateralHigh = Decimal.max(most.collateralHigh, collateralHigh);
  }
  const drift = Decimal.max(most.marginHigh.div(least!.debtLow), most.debtHigh.div(least!.liquidationLow), most.collateralHigh.div(least!.debtLow));
  return drift.times(ONE.plus(DIVISION_ROOM)).lte(ONE.plus(FIRM_ROOM));
}
