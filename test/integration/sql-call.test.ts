import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, withClient } from '../support/database.js';
import { sendCall, sqlCall } from '../../src/common/sql/sql-call.js';

// sendCall: a call prepared once per connection, then EXECUTEd, with what can happen to it
// between two calls (a migration dropping and creating its function again, an error in the
// middle of a message, its statement deallocated behind its back).
describe('sendCall', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  const twice = (x: number | null) => sqlCall('call_test_twice', [['int', x]]);

  it('prepares once per connection, survives a function dropped and created again, and a failed message', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2 $$`);
      expect(await sendCall(client, twice(2), { before: 'BEGIN', after: 'COMMIT' })).toBe(4);
      expect(await sendCall(client, twice(3))).toBe(6);
      const prepared = await client.query(`SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name = $1`, [twice(0).name]);
      expect(prepared.rows[0].n).toBe(1);

      // A migration: the same signature, another body.
      await client.query(`DROP FUNCTION call_test_twice(int)`);
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 20 $$`);
      expect(await sendCall(client, twice(2))).toBe(40);

      // An error inside the message: the transaction is rolled back, the connection goes on.
      await expect(sendCall(client, twice(1), { before: 'BEGIN', after: 'SELECT 1 / 0' })).rejects.toThrow(/division by zero/);
      await client.query('ROLLBACK');
      expect(await sendCall(client, twice(5))).toBe(100);
      expect(await sendCall(client, twice(null))).toBeNull();
    });
  });

  it('prepares again after its result type changed or its statement was deallocated, failing one call at most', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE OR REPLACE FUNCTION call_test_twice(x int) RETURNS int LANGUAGE sql AS $$ SELECT x * 2 $$`);
      expect(await sendCall(client, twice(2))).toBe(4);
      await client.query(`DROP FUNCTION call_test_twice(int)`);
      await client.query(`CREATE FUNCTION call_test_twice(x int) RETURNS text LANGUAGE sql AS $$ SELECT (x * 2)::text || '!' $$`);
      await expect(sendCall(client, twice(2))).rejects.toThrow(/cached plan must not change result type/);
      expect(await sendCall(client, twice(2))).toBe('4!');

      await client.query('DEALLOCATE ALL');
      await expect(sendCall(client, twice(3))).rejects.toThrow(/does not exist/);
      expect(await sendCall(client, twice(3))).toBe('6!');
    });
  });

  it('escapes its literals: a value is never read as SQL', async () => {
    await withClient(db.url, async (client) => {
      await client.query(`CREATE FUNCTION call_test_echo(t text, a text[]) RETURNS text LANGUAGE sql AS $$ SELECT t || '|' || array_to_string(a, ',') $$`);
      const call = sqlCall('call_test_echo', [['text', `it's \\ "x"); DROP TABLE y; --`], ['text[]', ['a"b', 'c\\d', null]]]);
      expect(await sendCall(client, call)).toBe(`it's \\ "x"); DROP TABLE y; --|a"b,c\\d`);
    });
  });
});
