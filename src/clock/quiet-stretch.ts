import type { StretchVerdict } from './day-start.hooks.js';

/**
 * Quiet stretches: an advance of many days over a world where nothing but interest happens
 * (nobody can change tier, no sweep would review anyone) need not run the day pipeline once per
 * day. The days before the advance's last may be run as one stretch, in one transaction: each
 * step of the pipeline (day-pipeline.ts) does its work for all of them at once, or proves there
 * is none, through its optional `quietStretch` handler (day-start.hooks.ts); the clock knows no rule
 * of theirs. A stretch leaves exactly the rows the days one at a time would: a step that cannot
 * promise that says so, the transaction rolls back and the days run one at a time.
 *
 * The time-reached work of a stretch's 00:00s (maturity notices) is left to the next day run in
 * full, which always follows (the advance's last day is never in a stretch): those handlers
 * catch up from their own watermark to wherever the clock is, and stamp what they store with
 * the instant it happened, not the instant they ran.
 */
/** Below this many days a stretch costs what running them does. */
export const MIN_STRETCH_DAYS = 2;

/**
 * Runs `count` days in order, the last one always in full, the others in the longest quiet
 * stretches the steps accept: all of them first; when refused as too long, half as many, and
 * so on down to a single day run in full, after which the rest is tried whole again (most
 * refusals mark one event, a margin call, and the quiet resumes after it); once refused as
 * busy, every day left runs in full. `stretch(from, count)` runs days [from, from + count).
 */
export async function runDaysInStretches(
  count: number,
  runDay: (index: number) => Promise<void>,
  stretch: (from: number, count: number) => Promise<StretchVerdict>,
): Promise<void> {
  let busy = false;
  let longest = Infinity;
  for (let i = 0; i < count; ) {
    const length = Math.min(longest, count - 1 - i);
    if (!busy && length >= MIN_STRETCH_DAYS) {
      const verdict = await stretch(i, length);
      if (verdict === 'done') {
        i += length;
        longest = Infinity;
        continue;
      }
      if (verdict === 'shorter') {
        longest = Math.floor(length / 2);
        continue;
      }
      busy = true;
    }
    await runDay(i);
    i += 1;
    longest = Infinity;
  }
}
