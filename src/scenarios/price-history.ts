import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal, dec } from '../common/money/decimal.js';

/**
 * Real price history a scenario can replay (`replay: btc-usd-daily`): the CSV files in the
 * project's data/ folder (see data/README.md for each one's source). A file is `date,close_usd`
 * then one row per UTC date, every date from the first to the last, oldest first, each figure a
 * plain decimal. The figure dated D applies at 00:00 UTC of D (data/README.md says why), so a
 * scenario that starts at `from` 00:00 UTC is on the real calendar.
 */
export interface PriceHistory {
  name: string;
  /** The first and last dates (YYYY-MM-DD). */
  first: string;
  last: string;
  /** One figure per date, first to last, exactly as the file writes it. */
  closes: string[];
}

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIGURE = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
export const DATA_SET_NAME = /^[a-z0-9][a-z0-9-]{0,99}$/;

/** The project's data/ folder: found from this file upwards (src/scenarios or dist/src/scenarios). */
export function dataDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'data'))) return path.join(dir, 'data');
    const parent = path.dirname(dir);
    if (parent === dir) return path.join(process.cwd(), 'data');
    dir = parent;
  }
}

/** The data sets there are: data/*.csv, by name without `.csv`. */
export function dataSets(dir = dataDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => f.slice(0, -4))
    .sort();
}

const cache = new Map<string, PriceHistory>();

/** A data set, read once and checked (a broken file is an error naming its line). */
export function priceHistory(name: string, dir = dataDir()): PriceHistory {
  const file = path.join(dir, `${name}.csv`);
  const cached = cache.get(file);
  if (cached) return cached;
  if (!DATA_SET_NAME.test(name) || !existsSync(file)) throw new Error(`no data set "${name}" in ${dir}`);
  const history = parseHistory(name, readFileSync(file, 'utf8'));
  cache.set(file, history);
  return history;
}

/** Reads a `date,close_usd` file; every date must follow the one before, a day later. */
export function parseHistory(name: string, text: string): PriceHistory {
  const rows = text.split(/\r?\n/).filter((line) => line.length > 0);
  if (rows[0] !== 'date,close_usd') throw new Error(`${name}: line 1 must be "date,close_usd"`);
  const closes: string[] = [];
  let first = '';
  for (let i = 1; i < rows.length; i += 1) {
    const [date, close, extra] = rows[i].split(',');
    if (extra !== undefined || !DATE.test(date ?? '') || !FIGURE.test(close ?? '') || dec(close).isZero()) {
      throw new Error(`${name}: line ${i + 1}: expected "YYYY-MM-DD,<price above 0>" (got ${JSON.stringify(rows[i])})`);
    }
    if (i === 1) first = date;
    else if (date !== addDays(first, i - 1)) throw new Error(`${name}: line ${i + 1}: expected ${addDays(first, i - 1)} (one row per date, oldest first), got ${date}`);
    closes.push(close);
  }
  if (closes.length === 0) throw new Error(`${name}: no rows`);
  return { name, first, last: addDays(first, closes.length - 1), closes };
}

/** A real calendar date written YYYY-MM-DD (2022-02-30 is not one). */
export function isDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const time = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/** The figures dated from `from` to `to`, both included: day d of the window is the figure of from + d. */
export function window(history: PriceHistory, from: string, to: string): string[] {
  const start = daysBetween(history.first, from);
  const end = daysBetween(history.first, to);
  if (!isDate(from) || !isDate(to) || start < 0 || end >= history.closes.length || start > end) {
    throw new Error(`${history.name}: the window ${from} to ${to} is not inside ${history.first} to ${history.last}`);
  }
  return history.closes.slice(start, end + 1);
}

/** Significant digits a rescaled figure keeps (as the other price paths do). */
export const RESCALED_DIGITS = 10;

/**
 * Every figure times start ÷ first figure, in decimals: close × start ÷ first, rounded half-even
 * to 10 significant digits only where the quotient does not end sooner. The first becomes exactly
 * `start`, and a ratio that is exact (start = 2 × first) gives exact figures.
 */
export function rescale(closes: string[], start: string): string[] {
  const first = dec(closes[0]);
  return closes.map((close, i) => i === 0 ? start : dec(close).times(start).div(first).toSignificantDigits(RESCALED_DIGITS, Decimal.ROUND_HALF_EVEN).toFixed());
}
