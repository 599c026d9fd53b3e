import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestDatabase, withClient } from '../support/database.js';
import { sqlCall } from '../../src/common/sql/sql-call.js';
import { CallTransaction } from '../../src/common/sql/call-transaction.js';

// CallTransaction: two calls and BEGIN/COMMIT in two round trips over the extended protocol, its
// statements prepared once per connection, and what can happen to them between two transactions
// (a migration dropping and creating a function again, a failed statement, a statement
// deallocated behind its back, the connection killed in the middle).
describe('CallTransaction', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
    await withClient(db.url, async (client) => {
      await client.query(`CREATE TABLE call_test_notes (note text NOT NULL)`);
      // Writes a note and answers how many there are, as this transaction sees them.
      await client.query(`CREATE FUNCTION call_test_note(t text) RETURNS jsonb LANGUAGE sql AS $$
        INSERT INTO call_test_notes VALUES (t);
        SELECT jsonb_build_object('notes', (SELECT count(*) FROM call_test_notes), 'last', t) $$`);
    });
  });
  afterAll(async () => {
    await db?.drop();
  });

  const twice = (x: number | null) => sqlCall('call_test_twice', [['int', x]]);
  const note = (t: string) => sqlCall('call_test_note', [['text', t]]);
  const notes = async (client: pg.ClientBase) => (await client.query(`SELECT note FROM call_test_notes ORDER BY note`)).rows.map((r) => r.note);
  const run = async (client: pg.ClientBase, first: ReturnType<typeof sqlCall>, last?: ReturnType<typeof sqlCall>) => {
    const transaction = new CallTransaction(client);
    const begun = await transaction.begin(first);
    return { begun, committed: await transaction.commit(last) };
  };

  it('answers each call, holds one transaction from begin to commit, and commits or rolls back all of it', async () => {
    await withClient(db.url, async (client) => {
      await withClient(db.url, async (other) => {
        await client.query('TRUNCATE call_test_notes');
        const transaction = new CallTransaction(client);
        expect(await transaction.begin(note('a'))).toEqual({ notes: 1, last: 'a' });
        expect(transaction.open).toBe(true);
        // Not committed yet: another connection does not see it.
        expect(await notes(other)).toEqual([]);
        expect(await transaction.commit(note('b'))).toEqual({ notes: 2, last: 'b' });
        expect(transaction.open).toBe(false);
        expect(client.getTransactionStatus()).toBe('I');
        expect(await notes(other)).toEqual(['a', 'b']);

        const rolledBack = new CallTransaction(client);
        expect(await rolledBack.begin(note('c'))).toEqual({ notes: 3, last: 'c' });
        await rolledBack.rollback();
        expect(rolledBack.open).toBe(false);
        expect(await notes(other)).toEqual(['a', 'b']);

        // Commit without a call of its own.
        const bare = new CallTransaction(client);
        await bare.begin(note('d'));
        expect(await bare.commit()).toBeNull();
        expect(await notes(other)).toEqual(['a', 'b', 'd']);
      });
    });
  });

  it('prepares once per connection, survives a function dropped and created again, and a failed statement', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT 10 / x $$`);
      expect(await run(client, twice(2), twice(5))).toEqual({ begun: 5, committed: 2 });
      expect(await run(client, twice(10))).toEqual({ begun: 1, committed: null });
      const prepared = await client.query(`SELECT name, from_sql FROM pg_prepared_statements ORDER BY name`);
      expect(prepared.rows).toEqual([
        { name: twice(0).name, from_sql: false },
        { name: 'lendlab_begin', from_sql: false },
        { name: 'lendlab_commit', from_sql: false },
      ]);

      // A migration: the same signature, another body.
      await client.query(`DROP FUNCTION call_test_twice(int)`);
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT 20 / x $$`);
      expect(await run(client, twice(2))).toEqual({ begun: 10, committed: null });

      // A failed call in the first round trip, then in the second: each is rolled back, the connection goes on.
      const failsFirst = new CallTransaction(client);
      await expect(failsFirst.begin(twice(0))).rejects.toThrow(/division by zero/);
      expect(failsFirst.open).toBe(true);
      await failsFirst.rollback();
      expect(failsFirst.open).toBe(false);
      expect(client.getTransactionStatus()).toBe('I');

      await client.query('TRUNCATE call_test_notes');
      const failsLast = new CallTransaction(client);
      await failsLast.begin(note('kept only if committed'));
      await expect(failsLast.commit(twice(0))).rejects.toThrow(/division by zero/);
      await failsLast.rollback();
      expect(client.getTransactionStatus()).toBe('I');
      expect(await notes(client)).toEqual([]);

      expect(await run(client, twice(4), twice(null))).toEqual({ begun: 5, committed: null });
    });
  });

  it('prepares again after its result type changed or its statement was deallocated, failing one transaction at most', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE OR REPLACE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2 $$`);
      expect((await run(client, twice(2))).begun).toBe(4);
      await client.query(`DROP FUNCTION call_test_twice(int)`);
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS text LANGUAGE sql AS $$ SELECT (x * 2)::text || '!' $$`);
      const stale = new CallTransaction(client);
      await expect(stale.begin(twice(2))).rejects.toThrow(/cached plan must not change result type/);
      await stale.rollback();
      expect((await run(client, twice(2))).begun).toBe('4!');

      await client.query('DEALLOCATE ALL');
      const gone = new CallTransaction(client);
      await expect(gone.begin(twice(3))).rejects.toThrow(/does not exist/);
      await gone.rollback();
      expect(await run(client, twice(3), twice(4))).toEqual({ begun: '6!', committed: '8!' });
    });
  });

  it('sends values as parameters: a value is never read as SQL', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE FUNCTION call_test_echo(t text, a text[], n numeric, at timestamptz) RETURNS text LANGUAGE sql AS $$
        SELECT t || '|' || array_to_string(a, ',', '∅') || '|' || n::text || '|' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.MS') $$`);
      const hostile = `it's \\ "x"); DROP TABLE call_test_notes; --`;
      const call = sqlCall('call_test_echo', [
        ['text', hostile],
        ['text[]', ['a"b', 'c\\d', null, 'NULL']],
        ['numeric', '0.000000000000000001'],
        ['timestamptz', new Date('2026-02-03T04:05:06.789Z')],
      ]);
      expect((await run(client, call)).begun).toBe(`${hostile}|a"b,c\\d,∅,NULL|0.000000000000000001|2026-02-03 04:05:06.789`);
      expect((await client.query(`SELECT to_regclass('call_test_notes') IS NOT NULL AS there`)).rows[0].there).toBe(true);
    });
  });

  it('fails, and does not hang, when the connection is killed between its round trips', async () => {
    await withClient(db.url, async (client) => {
      await withClient(db.url, async (admin) => {
        client.on('error', () => {}); // the drop is reported here too
        const transaction = new CallTransaction(client);
        await transaction.begin(note('lost'));
        const pid = (client as unknown as { processID: number }).processID;
        await admin.query('SELECT pg_terminate_backend($1)', [pid]);
        await expect(transaction.commit(note('never'))).rejects.toMatchObject({ code: '57P01' }); // terminated by an administrator
        await transaction.rollback().catch(() => {}); // as runMovement does: the client is released as broken
        expect(await notes(admin)).not.toContain('lost');
      });
    });
  });

  it('closes the connection when its query_timeout runs out between the round trips, and stops the timer when it ends in time', async () => {
    const client = new pg.Client({ connectionString: db.url, query_timeout: 300 });
    await client.connect();
    client.on('error', () => {}); // the closed connection is reported here too
    try {
      const quick = new CallTransaction(client);
      await quick.begin(note('in time'));
      await quick.commit();
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect(quick.broken).toBeUndefined();
      expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);

      const slow = new CallTransaction(client);
      await slow.begin(note('too slow'));
      await new Promise((resolve) => setTimeout(resolve, 450));
      await expect(slow.commit()).rejects.toThrow(/timeout/);
      expect(slow.broken).toBeDefined();
      expect(slow.open).toBe(false);
    } finally {
      await client.end().catch(() => {});
    }
    await withClient(db.url, async (other) => {
      expect(await notes(other)).toContain('in time');
      expect(await notes(other)).not.toContain('too slow');
    });
  });

  it('rejects, and can still roll back, when its answer cannot be read', async () => {
    await withClient(db.url, async (client) => {
      client.setTypeParser(3802 /* jsonb */, () => {
        throw new Error('unreadable');
      });
      const transaction = new CallTransaction(client);
      await expect(transaction.begin(note('unread'))).rejects.toThrow('unreadable');
      await transaction.rollback();
      expect(client.getTransactionStatus()).toBe('I');
      expect(await notes(client)).not.toContain('unread');
    });
  });
});
