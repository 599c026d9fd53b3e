import { createHash } from 'node:crypto';
import pg from 'pg';

/** What a money function takes: text, numbers, instants, booleans, NULL, and arrays of those. */
export type SqlValue = string | number | boolean | Date | null | SqlValue[];

/**
 * A call of one of the money SQL functions: its name, its arguments' types and their values as
 * escaped literals, sent with sendCall as `EXECUTE <name>('a', '1.5', NULL)` of a statement
 * prepared once per connection.
 *
 * Why text and not bind parameters: the movements send "BEGIN; <call>" and "<call>; COMMIT" as
 * one message each (the simple query protocol, the only one that takes several statements in a
 * message; node-pg does not pipeline the extended one). That is two round trips per movement
 * instead of four, and every round trip costs a write and a read in the API and in Postgres,
 * and a context switch each way. The literals are escaped by pg's own escapeLiteral
 * (standard_conforming_strings is on; a backslash makes it an E'' string), so a value is never
 * read as SQL.
 */
export class SqlCall {
  /** The name its prepared statement has on every connection (sendCall). */
  readonly name: string;
  readonly types: string[];
  /** The arguments as escaped literals (NULL bare), in order. */
  readonly literals: string[];

  constructor(
    readonly fn: string,
    args: [type: string, value: SqlValue][],
  ) {
    this.types = args.map(([type]) => type);
    this.literals = args.map(([, value]) => literal(value));
    this.name = preparedName(fn, this.types);
  }
}

/** A call of `fn` with `args` (type, value), to be sent with sendCall. */
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

/** The calls prepared on each connection (a pg client object is its connection: a new one starts empty). */
const prepared = new WeakMap<object, Set<string>>();
/** Prepared calls that must be dropped before they are prepared again (their function's result type changed). */
const stale = new WeakMap<object, Set<string>>();

/**
 * Sends "<before>; EXECUTE <call>; <after>" as one message (the simple query protocol; before
 * and after are optional SQL, e.g. BEGIN and COMMIT) and returns the value the call returned.
 *
 * Why prepared: as text, the top-level SELECT of a call with twenty literal arguments was
 * parsed, analysed (the function resolved against its casts) and planned on every call
 * (measured: see the commit that made this). A statement prepared with SQL-level PREPARE is
 * analysed and planned once per connection; EXECUTE only reads its literals into the declared
 * types, the same input functions as the casts. The first call of a function on a connection
 * prepares it first, in a round trip of its own, so that what is prepared is known exactly
 * (a PREPARE is not undone by the transaction rolling back, nor by a later statement of its
 * message failing). A function dropped and created again (a migration) is found again by
 * Postgres itself: the statement is analysed again on its next EXECUTE. Only if its result type
 * changed does Postgres refuse it ("cached plan must not change result type"): that call fails,
 * and the next one on the connection deallocates and prepares it again. A connection that lost
 * its prepared statements (DEALLOCATE ALL by someone else) prepares again after one failure.
 */
export async function sendCall(client: pg.ClientBase, call: SqlCall, { before, after }: { before?: string; after?: string } = {}): Promise<unknown> {
  let names = prepared.get(client);
  if (!names) prepared.set(client, (names = new Set()));
  if (!names.has(call.name)) {
    const params = call.types.map((_, i) => `$${i + 1}`).join(', ');
    const drop = stale.get(client)?.delete(call.name) ? `DEALLOCATE ${call.name}; ` : '';
    await client.query(`${drop}PREPARE ${call.name}(${call.types.join(', ')}) AS SELECT ${call.fn}(${params}) AS value`);
    names.add(call.name);
  }
  const sql = [before, `EXECUTE ${call.name}(${call.literals.join(', ')})`, after].filter(Boolean).join('; ');
  let results: pg.QueryResult | pg.QueryResult[];
  try {
    results = (await client.query(sql)) as unknown as pg.QueryResult | pg.QueryResult[];
  } catch (error) {
    const code = (error as { code?: string }).code;
    // 26000: no such prepared statement on this connection (it was deallocated behind our back).
    if (code === '26000') names.delete(call.name);
    // 0A000: "cached plan must not change result type" (matched by its code, not its text, which
    // lc_messages may translate): dropped and prepared again on the next call.
    if (code === '0A000') {
      names.delete(call.name);
      let old = stale.get(client);
      if (!old) stale.set(client, (old = new Set()));
      old.add(call.name);
    }
    throw error;
  }
  // The call's result: the last SELECT's (before and after are BEGIN, COMMIT and the like).
  const executed = Array.isArray(results) ? results.findLast((r) => r.command === 'SELECT') : results;
  return executed?.rows?.[0]?.value;
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
