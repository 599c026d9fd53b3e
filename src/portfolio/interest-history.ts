import { Decimal, ONE, ZERO, dec } from '../common/money/decimal.js';
import { MS_PER_DAY, dayStart } from '../clock/dates.js';
import { indexAt } from '../markets/index-math.js';

export interface DayRates {
  date: string;
  apr: Decimal;
  /** The index at 00:00 of the day. */
  indexAtStart: Decimal;
}

export interface ScaledChange {
  at: Date;
  scaledAfter: Decimal;
}

/**
 * One day's interest on a scaled balance that may change during the day: the sum over the
 * day's pieces of scaled × (index at the piece's end − index at its start), with the index
 * pro rata within the day. Changes must be ordered by time; `scaledAtStart` is the balance at
 * 00:00 (after every change before it). Exact; the caller rounds.
 */
export function interestForDay(day: DayRates, scaledAtStart: Decimal, changesInDay: ScaledChange[]): Decimal {
  const start = dayStart(day.date).getTime();
  const index = (t: number) => indexAt(day.indexAtStart, day.apr, t - start);
  let total = ZERO;
  let scaled = scaledAtStart;
  let from = start;
  for (const change of changesInDay) {
    const t = change.at.getTime();
    total = total.plus(scaled.times(index(t).minus(index(from))));
    scaled = change.scaledAfter;
    from = t;
  }
  return total.plus(scaled.times(index(start + MS_PER_DAY).minus(index(from))));
}

/** The index at 00:00 of each day from the history rows (end-of-day indexes), the first day's at 1. */
export function dayRatesFromHistory(rows: { date: string; apr: string; indexAtEnd: string }[], firstIndex: Decimal = ONE): DayRates[] {
  let previousEnd = firstIndex;
  return rows.map((row) => {
    const day = { date: row.date, apr: dec(row.apr), indexAtStart: previousEnd };
    previousEnd = dec(row.indexAtEnd);
    return day;
  });
}
