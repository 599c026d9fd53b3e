import { describe, expect, it } from '@jest/globals';
import { addDays, daysAfter, isCalendarDate, utcDateString } from './dates.js';

describe('UTC calendar days', () => {
  it('lists the boundaries crossed, in order, across months and a leap day', () => {
    expect(daysAfter('2028-02-27', '2028-03-01')).toEqual(['2028-02-28', '2028-02-29', '2028-03-01']);
    expect(daysAfter('2026-01-01', '2026-01-01')).toEqual([]);
  });

  it('adds days and reads the UTC date of a moment', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(utcDateString(new Date('2026-01-01T23:59:59.999Z'))).toBe('2026-01-01');
  });

  it('knows a real calendar date', () => {
    expect(isCalendarDate('2026-02-28')).toBe(true);
    expect(isCalendarDate('2026-02-30')).toBe(false);
    expect(isCalendarDate('2026-2-3')).toBe(false);
  });
});
