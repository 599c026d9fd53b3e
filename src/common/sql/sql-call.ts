import { createHash } from 'node:crypto';

/** What a money function takes: text, numbers, instants, booleans, NULL, and arrays of those. */
export type SqlValue = string | number | boolean | Date | null | SqlValue[];

/**
 * A call of one of the money SQL functions: its name, its arguments' types and their values in
 * Postgres's text form, sent as bind parameters of a statement prepared once per connection
 * (CallTransaction, call-transaction.ts).
 */
export class SqlCall {
  /** The name its prepared statement has on every connection. */
  readonly name: string;
  readonly types: string[];
  /** `SELECT fn($1::type, …) AS value`: each parameter's type is its cast's. */
  readonly statementText: string;
  /** The arguments in their text form (null for NULL), in order. */
  readonly values: (string | null)[];

  constructor(
    readonly fn: string,
    args: [type: string, value: SqlValue][],
  ) {
    this.types = args.map(([type]) => type);
    this.values = args.map(([, value]) => parameter(value));
    this.name = preparedName(fn, this.types);
    this.statementText = `SELECT ${fn}(${this.types.map((type, i) => `$${i + 1}::${type}`).join(', ')}) AS value`;
  }
}

/** A call of `fn` with `args` (type, value), to be sent in a CallTransaction. */
export function sqlCall(fn: string, args: [type: string, value: SqlValue][]): SqlCall {
  return new SqlCall(fn, args);
}

/**
 * The prepared statement's name: the function's and a hash of its argument types, so that a
 * function whose signature changes is prepared again under a new name (an old one left on a
 * connection is never used again). Lower case, within Postgres's 63 characters.
 */
function preparedName(fn: string, types: string[]): string {
  const hash = createHash('sha1').update(`${fn}(${types.join(',')})`).digest('hex').slice(0, 12);
  return `call_${fn.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40)}_${hash}`;
}

/** A bind parameter's text: a bound value is never read as SQL, so nothing is escaped but an array's elements. */
function parameter(value: SqlValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return arrayText(value);
  return text(value);
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
