/** Calendar arithmetic in UTC. Days are ACT/365's calendar days: 00:00 UTC to 00:00 UTC. */
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** `YYYY-MM-DD` of the UTC day that contains `at`. */
export function utcDateString(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** 00:00 UTC of a `YYYY-MM-DD` day. */
export function dayStart(date: string): Date {
  return new Date(`${date}T00:00:00.000Z`);
}

export function addDays(date: string, days: number): string {
  return utcDateString(new Date(dayStart(date).getTime() + days * MS_PER_DAY));
}

/** Every `YYYY-MM-DD` after `from` up to and including `through`, in order. */
export function daysAfter(from: string, through: string): string[] {
  const days: string[] = [];
  for (let day = addDays(from, 1); day <= through; day = addDays(day, 1)) days.push(day);
  return days;
}

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** True for a real calendar date written `YYYY-MM-DD` (2026-02-30 is not one). */
export function isCalendarDate(value: string): boolean {
  return DATE_PATTERN.test(value) && !Number.isNaN(Date.parse(value)) && utcDateString(dayStart(value)) === value;
}
