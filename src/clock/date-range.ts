import { invalidField, validationFailed } from '../common/errors/domain-error.js';
import { addDays, isCalendarDate } from './dates.js';

/**
 * A `from`/`to` range of calendar days from a query string, checked as every range read checks
 * it (400 VALIDATION_FAILED naming the field): each a real date written YYYY-MM-DD, `from` not
 * after `to`, and, when asked, both given and at most `maxDays` days.
 */
export function checkDateRange(from: unknown, to: unknown, rules: { required?: boolean; maxDays?: number } = {}): void {
  for (const [field, value] of [['from', from], ['to', to]] as const) {
    if (value === undefined) {
      if (rules.required) throw invalidField(field, 'is required (YYYY-MM-DD)');
      continue;
    }
    if (typeof value !== 'string' || !isCalendarDate(value)) throw invalidField(field, 'must be a date written YYYY-MM-DD');
  }
  if (typeof from !== 'string' || typeof to !== 'string') return;
  if (from > to) throw invalidField('from', 'must not be after to');
  if (rules.maxDays !== undefined && addDays(from, rules.maxDays - 1) < to) {
    throw validationFailed(`A range covers at most ${rules.maxDays} days`, { fields: { to: [`must be within ${rules.maxDays} days of from`] } });
  }
}
