import pg from 'pg';

/** What a money function takes: text, numbers, instants, booleans, NULL, and arrays of those. */
export type SqlValue = string | number | boolean | Date | null | SqlValue[];

/**
 * A call of one of the money SQL functions written out as SQL text, its arguments as escaped
 * literals with explicit casts: `fn('a'::text, '1.5'::numeric, NULL::bigint)`.
 *
 * Why text and not bind parameters: the movements send "BEGIN; SELECT money_begin(…)" and
 * "SELECT money_deposit(…); COMMIT" as one message each (the simple query protocol, the only
 * one that takes several statements in a message; node-pg does not pipeline the extended one).
 * That is two round trips per movement instead of four, and every round trip costs a write and
 * a read in the API and in Postgres, and a context switch each way. The literals are escaped by
 * pg's own escapeLiteral (standard_conforming_strings is on; a backslash makes it an E'' string),
 * so a value is never read as SQL. Postgres plans the one-line SELECT each time (cheap: a
 * function call); the statements inside the function keep their cached plans.
 */
export function sqlCall(fn: string, args: [type: string, value: SqlValue][]): string {
  return `${fn}(${args.map(([type, value]) => sqlArg(type, value)).join(', ')})`;
}

/** One argument: the value as an escaped literal, cast to `type`. */
export function sqlArg(type: string, value: SqlValue): string {
  return `${literal(value)}::${type}`;
}

function literal(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) return pg.escapeLiteral(arrayText(value));
  return pg.escapeLiteral(text(value));
}

function text(value: Exclude<SqlValue, null | SqlValue[]>): string {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('an invalid date cannot be written');
    return value.toISOString(); // UTC, to the millisecond, as the driver's own parameters are
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} cannot be written`);
  return String(value);
}

/**
 * A one-dimensional array as Postgres's text form, `{"a","b"}`: sent as one bind parameter and
 * cast in SQL (`${arrayText(xs)}::numeric[]`), a long array costs Prisma one string instead of
 * an element-by-element conversion (measured: 11,000 history rows of a quiet stretch written in
 * about two thirds of the time, as fast as through the pg driver).
 */
export function arrayText(values: SqlValue[]): string {
  return `{${values.map(element).join(',')}}`;
}

/** An element of a one-dimensional array literal: NULL bare, anything else double-quoted. */
function element(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (Array.isArray(value)) throw new Error('nested arrays are not written');
  return `"${text(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
