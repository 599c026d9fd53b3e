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
  /** `SELECT fn($1::type, …) AS value`: each parameter's type is its cast's. */
  readonly statementText: string;
  /** The arguments in their text form (null for NULL), in order. */
  readonly values: (string | null)[];

  constructor(fn: string, args: [type: string, value: SqlValue][]) {
    ({ name: this.name, text: this.statementText } = statementOf(fn, args.map(([type]) => type)));
    this.values = args.map(([, value]) => parameter(value));
  }
}

/** A call of `fn` with `args` (type, value), to be sent in a CallTransaction. */
export function sqlCall(fn: string, args: [type: string, value: SqlValue][]): SqlCall {
  return new SqlCall(fn, args);
}

/** Each signature's statement, made once per process: every movement builds calls of the same few. */
const statements = new Map<string, { name: string; text: string }>();

/**
 * A signature's prepared statement: its name is the function's and a hash of its argument types,
 * so that a function whose signature changes is prepared again under a new name (an old one left
 * on a connection is never used again); lower case, within Postgres's 63 characters.
 */
function statementOf(fn: string, types: string[]): { name: string; text: string } {
  const signature = `${fn}(${types.join(',')})`;
  let statement = statements.get(signature);
  if (!statement) {
    const hash = createHash('sha1').update(signature).digest('hex').slice(0, 12);
    statement = {
      name: `call_${fn.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 40)}_${hash}`,
      text: `SELECT ${fn}(${types.map((type, i) => `$${i + 1}::${type}`).join(', ')}) AS value`,
    };
    statements.set(signature, statement);
  }
  return statement;
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
