import pg from 'pg';
import type { SqlCall } from './sql-call.js';

/**
 * A transaction of two money-function calls in two round trips, over Postgres's extended query
 * protocol with bind parameters:
 *
 *   begin:  Bind+Execute BEGIN, Bind+Describe+Execute <call>, Flush   (the call's answer comes back)
 *   commit: Bind+Describe+Execute <call>, Bind+Execute COMMIT, Sync   (or ROLLBACK, Sync)
 *
 * Why not node-pg's own queries: each of them ends in Sync (a ReadyForQuery and a flush of
 * Postgres's output per statement), and its pipeline mode sends BEGIN and COMMIT as statements
 * of their own, so a movement would cost two more writes on each side. A Flush delivers the
 * call's answer and keeps the messages after it in the same exchange, as a cursor does
 * (pg-cursor drives the connection the same way, as one "submittable" that stays the client's
 * active query until its Sync is answered).
 *
 * Why bind parameters and not `EXECUTE name('literal', …)` of the simple protocol: the values go
 * straight to their types' input functions, with no statement to parse and analyse around them.
 * Counted with cachegrind on a running server's backend, 750 against 250 captured deposits:
 * 2,061 k instructions per deposit as EXECUTE of literals, 1,906 k this way (−7.5 %), with the
 * same two round trips.
 *
 * Statements are prepared (Parse, named) once per connection, in the round trip of their first
 * use. A statement that is not known to be prepared is first closed (Close is no error when there
 * is none), so that one left behind by a failed exchange, deallocated by someone else, or whose
 * function's result type changed (a migration: Postgres refuses it with "cached plan must not
 * change result type") costs that one exchange's error at most and is parsed afresh the next time.
 *
 * Between the two round trips Postgres has not answered a Sync, so it counts the session as
 * active, not idle in a transaction: idle_in_transaction_session_timeout does not apply there,
 * and a stalled API would hold the transaction's locks until its connection drops. The API
 * computes between the two without awaiting anything else (movement-statements.ts).
 */
export class CallTransaction {
  private readonly exchange: Exchange;

  constructor(client: pg.ClientBase) {
    this.exchange = new Exchange(client);
  }

  /** BEGIN and `call` in one round trip: `call`'s answer; the transaction stays open for commit or rollback. */
  begin(call: SqlCall): Promise<unknown> {
    return this.exchange.start(call);
  }

  /** Whether commit or rollback is still to be called: begun and not ended (after a failed statement, rollback). */
  get open(): boolean {
    return this.exchange.state !== 'new' && this.exchange.state !== 'ended';
  }

  /** Why the connection was closed under the transaction, if it was: the client must then be released as broken. */
  get broken(): Error | undefined {
    return this.exchange.broken;
  }

  /** `call` (if any) and COMMIT in one round trip: `call`'s answer once committed. */
  commit(call?: SqlCall): Promise<unknown> {
    return this.exchange.finish(call, 'COMMIT');
  }

  /**
   * Rolls back whatever state the transaction is in: ROLLBACK in the open exchange, or (after a
   * statement failed, when the client is idle again with the transaction aborted) as a query.
   */
  async rollback(): Promise<void> {
    await this.exchange.rollback();
  }
}

/** The utility statements of the exchange, prepared like the calls. */
const CONTROL = { BEGIN: 'lendlab_begin', COMMIT: 'lendlab_commit', ROLLBACK: 'lendlab_rollback' } as const;

/** The statements prepared on each connection (a pg client object is its connection: a new one starts empty). */
const preparedOn = new WeakMap<object, Set<string>>();

/** What of pg's Connection the exchange writes with (node-pg's own query class uses the same calls). */
interface Wire {
  stream: { cork(): void; uncork(): void; destroy(): void };
  parse(message: { name: string; text: string }): void;
  close(message: { type: 'S'; name: string }): void;
  bind(message: { statement: string; values: (string | null)[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: object): void;
  flush(): void;
  sync(): void;
}

/** A row's fields as the connection reads them: text, or null. */
type Fields = (string | null)[];

/**
 * The exchange, as node-pg's client sees it: one submittable query that stays the client's
 * active query from `start` until Postgres answers its Sync (so nothing else is sent on the
 * connection in between), or until an error, after which the client takes the connection back.
 */
class Exchange {
  /**
   * new: not begun; sending: a round trip under way; open: between the two; failed: a statement
   * failed and the client is idle again (in an aborted transaction, perhaps); ended: committed or
   * rolled back, or the connection is gone.
   */
  state: 'new' | 'sending' | 'open' | 'failed' | 'ended' = 'new';
  /** Set when the connection is gone, or was closed because the exchange could not go on: the client must not be reused. */
  broken: Error | undefined;
  /** An error Postgres sent between the round trips (a FATAL: the backend was terminated), answered to the next one. */
  private failure: Error | undefined;
  private wire: Wire | undefined;
  private first: SqlCall | undefined;
  private ending = false;
  /** The call's answer: its one field's text and type, parsed when its round trip ends. */
  private value: string | null = null;
  private valueType: number | undefined;
  private pending: { resolve: (value: unknown) => void; reject: (error: Error) => void } | undefined;
  /** Statements parsed in the round trip under way: known to be prepared only once it succeeds. */
  private parsing: string[] = [];
  /** Every statement the round trip under way uses. */
  private using: string[] = [];
  /** Set by node-pg when the connection has a query_timeout: called as the exchange ends, it stops the timer. */
  callback: ((error: Error | null) => void) | undefined;

  constructor(private readonly client: pg.ClientBase) {}

  start(call: SqlCall): Promise<unknown> {
    if (this.state !== 'new') return Promise.reject(new Error('a transaction is begun once'));
    this.state = 'sending';
    this.first = call;
    const answered = this.await();
    // The client calls submit when the connection is free (at once: it is checked out for this).
    this.client.query(this as unknown as pg.Submittable);
    return answered;
  }

  finish(call: SqlCall | undefined, end: 'COMMIT' | 'ROLLBACK'): Promise<unknown> {
    if (this.broken) return Promise.reject(this.broken);
    if (this.failure) return Promise.reject(this.failure);
    if (this.state !== 'open') return Promise.reject(new Error(`a transaction that is ${this.state} cannot ${end}`));
    const answered = this.await();
    this.state = 'sending';
    this.ending = true;
    this.send(call, end);
    return answered;
  }

  async rollback(): Promise<void> {
    if (this.state === 'sending') throw new Error('a transaction cannot roll back while a round trip is under way');
    if (this.state === 'open') {
      await this.finish(undefined, 'ROLLBACK');
    } else if (this.state === 'failed') {
      // The client has the connection back: ROLLBACK as an ordinary query.
      this.state = 'ended';
      await this.client.query('ROLLBACK');
    }
  }

  // node-pg's submittable interface (what lib/client.js calls on its active query).

  submit(wire: Wire): null {
    this.wire = wire;
    this.send(this.first, 'BEGIN');
    return null;
  }

  handleRowDescription(message: { fields: { dataTypeID: number }[] }): void {
    this.valueType = message.fields[0]?.dataTypeID;
  }

  handleDataRow(message: { fields: Fields }): void {
    this.value = message.fields[0] ?? null;
  }

  handleCommandComplete(message: { text: string }): void {
    // The call's row is in when its SELECT completes; the begin's round trip ends there (Flush, no ReadyForQuery).
    if (!this.ending && message.text.startsWith('SELECT')) this.answer('open');
  }

  handleReadyForQuery(): void {
    this.answer('ended');
  }

  handleError(error: Error): void {
    // Only while the exchange is the client's query: a late timer's error must not touch a connection serving another.
    if (this.state !== 'sending' && this.state !== 'open') return;
    if (!(error instanceof pg.DatabaseError)) {
      this.fail(error);
      return;
    }
    // The client has already let go of this query. An error from Postgres (ErrorResponse) leaves
    // it discarding messages until a Sync: the begin's round trip has none yet, so it is sent now,
    // and its ReadyForQuery gives the client the connection back.
    if (this.state === 'sending' && !this.ending) this.wire?.sync();
    if (this.state === 'open') this.failure = error;
    this.state = 'failed';
    this.callback?.(null);
    // A statement it used may be stale (0A000: its function's result type changed). One that
    // is gone (26000) was deallocated behind this code's back, most likely with all the others.
    const prepared = this.prepared();
    if (error.code === '26000') prepared.clear();
    if (error.code === '0A000') for (const name of this.using) prepared.delete(name);
    this.settle(error);
  }

  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  private await(): Promise<unknown> {
    this.value = null;
    this.valueType = undefined;
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  /** Ends the round trip under way: its answer, or its error. */
  private settle(error: Error | null, value?: unknown): void {
    this.parsing = [];
    this.using = [];
    const pending = this.pending;
    this.pending = undefined;
    if (error) pending?.reject(error);
    else pending?.resolve(value);
  }

  private answer(state: 'open' | 'ended'): void {
    this.state = state;
    if (state === 'ended') this.callback?.(null);
    const prepared = this.prepared();
    for (const name of this.parsing) prepared.add(name);
    let value: unknown = this.value;
    try {
      if (this.value !== null && this.valueType !== undefined) value = this.client.getTypeParser(this.valueType, 'text')(this.value);
    } catch (error) {
      this.settle(error as Error);
      return;
    }
    this.settle(null, value);
  }

  /**
   * The exchange cannot go on (the connection dropped, a timer ran out, a message could not be
   * written): the connection is closed, so that Postgres rolls back and the client is not reused.
   */
  private fail(error: Error): void {
    this.broken = error;
    this.state = 'ended';
    this.callback?.(null);
    this.wire?.stream.destroy();
    this.settle(error);
  }

  /** One round trip: BEGIN before the call, or COMMIT or ROLLBACK after it; written to the socket at once. */
  private send(call: SqlCall | undefined, control: keyof typeof CONTROL): void {
    const wire = this.wire!;
    wire.stream.cork();
    try {
      if (control === 'BEGIN') this.run(wire, CONTROL.BEGIN, 'BEGIN');
      if (call) {
        this.statement(wire, call.name, call.statementText);
        wire.bind({ statement: call.name, values: call.values });
        wire.describe({ type: 'P', name: '' });
        wire.execute({});
      }
      if (control === 'BEGIN') wire.flush();
      else {
        this.run(wire, CONTROL[control], control);
        wire.sync();
      }
    } catch (error) {
      // Half a round trip may be written: only closing the connection ends it cleanly.
      this.fail(error as Error);
    } finally {
      wire.stream.uncork();
    }
  }

  private run(wire: Wire, name: string, text: string): void {
    this.statement(wire, name, text);
    wire.bind({ statement: name, values: [] });
    wire.execute({});
  }

  private statement(wire: Wire, name: string, text: string): void {
    this.using.push(name);
    if (this.prepared().has(name)) return;
    wire.close({ type: 'S', name });
    wire.parse({ name, text });
    this.parsing.push(name);
  }

  private prepared(): Set<string> {
    let names = preparedOn.get(this.client);
    if (!names) preparedOn.set(this.client, (names = new Set()));
    return names;
  }
}
