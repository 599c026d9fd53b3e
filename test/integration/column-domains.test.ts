import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';

/**
 * The rules on the columns a money movement writes live in the columns' types: the sign rules on
 * amounts (20261209100000_amount_rules_as_domains) and the loyalty tiers
 * (20261209120000_ledger_balances_by_entry). A negative position, loan, market total or lane
 * total, a zero ledger entry or an unknown tier is refused by the database whoever writes it,
 * and every column keeps its precision and scale (a value is rounded to it on write, as before).
 */
describe('the guarded columns', () => {
  let app: TestApp;
  let accountId: string;
  let loanId: string;
  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
    ({ accountId, loanId } = await world(app).borrowerWithLoan('borrower', '1.25', '100'));
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The error a statement ends with inside a transaction that is rolled back (nothing it did is kept), or 'ok'. */
  async function outcome(sql: string, params: unknown[] = []): Promise<string> {
    return withClient(app.databaseUrl, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(sql, params);
        return 'ok';
      } catch (error) {
        const { code, constraint } = error as pg.DatabaseError;
        return `${code} ${constraint}`;
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  it('refuse a negative amount in each guarded column, and take zero', async () => {
    const refusals: Record<string, string> = {};
    const writes: [string, string, unknown[]][] = [
      ['positions.scaled', `UPDATE positions SET scaled = $2 WHERE account_id = $1 AND asset = 'BTC'`, [accountId]],
      ['positions.principal', `UPDATE positions SET principal = $2 WHERE account_id = $1 AND asset = 'BTC'`, [accountId]],
      ['loans.scaled_debt', `UPDATE loans SET scaled_debt = $2 WHERE id = $1`, [loanId]],
      ['loans.principal', `UPDATE loans SET principal = $2 WHERE id = $1`, [loanId]],
      ['market_lanes.supply_principal', `UPDATE market_lanes SET supply_principal = $2 WHERE asset = $1`, ['USDC']],
      ['market_lanes.borrow_principal', `UPDATE market_lanes SET borrow_principal = $2 WHERE asset = $1`, ['USDC']],
      ['market_lanes.total_supply_scaled', `UPDATE market_lanes SET total_supply_scaled = $2 WHERE asset = $1`, ['USDC']],
      ['market_lanes.total_borrow_scaled', `UPDATE market_lanes SET total_borrow_scaled = $2 WHERE asset = $1`, ['USDC']],
    ];
    for (const [column, sql, params] of writes) {
      refusals[column] = `${await outcome(sql, [...params, '-0.000000000000000001'])} / ${await outcome(sql, [...params, '0'])}`;
    }
    const scaled = '23514 scaled_not_negative / ok';
    const amount = '23514 amount_not_negative / ok';
    expect(refusals).toEqual({
      'positions.scaled': scaled,
      'positions.principal': amount,
      'loans.scaled_debt': scaled,
      'loans.principal': amount,
      'market_lanes.supply_principal': amount,
      'market_lanes.borrow_principal': amount,
      'market_lanes.total_supply_scaled': scaled,
      'market_lanes.total_borrow_scaled': scaled,
    });
  });

  it('refuse a tier that is not one of the four, on accounts and on lanes', async () => {
    const tier = async (sql: string, params: unknown[], value: string) => outcome(sql, [...params, value]);
    const account = `UPDATE accounts SET tier = $2 WHERE id = $1`;
    const lane = `UPDATE market_lanes SET tier = $2 WHERE asset = $1 AND tier = 'gold'`;
    expect([await tier(account, [accountId], 'diamond'), await tier(account, [accountId], 'platinum')]).toEqual(['23514 loyalty_tier_known', 'ok']);
    expect([await tier(lane, ['USDC'], 'Gold'), await tier(lane, ['USDC'], 'gold')]).toEqual(['23514 loyalty_tier_known', 'ok']);
  });

  it('refuse a ledger entry of zero, in a transaction that would otherwise balance', async () => {
    const entries = (amounts: [string, string]) =>
      outcome(
        `WITH t AS (INSERT INTO ledger_transactions (type, at) VALUES ('test', now()) RETURNING id)
         INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount)
         SELECT t.id, l.id, 'BTC', x.amount FROM t,
           (SELECT id FROM ledger_accounts WHERE asset = 'BTC' ORDER BY id LIMIT 1) l,
           unnest($1::numeric[]) AS x(amount)`,
        [amounts],
      );
    expect(await entries(['0', '0'])).toBe('23514 ledger_amount_not_zero');
    expect(await entries(['1', '-1'])).toBe('ok');
  });

  it('keep their precision and scale: a write is rounded to it as before', async () => {
    const stored = await withClient(app.databaseUrl, async (client) => {
      await client.query('BEGIN');
      try {
        const position = await client.query<{ scaled: string; principal: string }>(
          `UPDATE positions SET scaled = '1.1234567890123456789012345678905', principal = '2.0000000000000000005'
           WHERE account_id = $1 AND asset = 'BTC' RETURNING scaled::text, principal::text`,
          [accountId],
        );
        const types = await client.query<{ column: string; type: string }>(
          `SELECT c.relname || '.' || a.attname AS column, format_type(t.typbasetype, t.typtypmod) || ' ' || t.typname AS type
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
           WHERE t.typtype = 'd' AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           ORDER BY 1`,
        );
        return { position: position.rows[0], types: Object.fromEntries(types.rows.map((r) => [r.column, r.type])) };
      } finally {
        await client.query('ROLLBACK');
      }
    });
    // numeric(60, 30) and numeric(40, 18) round half away from zero, as they did.
    expect(stored.position).toEqual({ scaled: '1.123456789012345678901234567891', principal: '2.000000000000000001' });
    expect(stored.types).toEqual({
      'accounts.tier': 'character varying(10) loyalty_tier',
      'market_lanes.tier': 'character varying(10) loyalty_tier',
      'ledger_entries.amount': 'numeric(40,18) ledger_amount',
      'loans.principal': 'numeric(40,18) amount_not_negative',
      'loans.scaled_debt': 'numeric(60,30) scaled_not_negative',
      'market_lanes.borrow_principal': 'numeric(40,18) amount_not_negative',
      'market_lanes.supply_principal': 'numeric(40,18) amount_not_negative',
      'market_lanes.total_borrow_scaled': 'numeric(60,30) scaled_not_negative',
      'market_lanes.total_supply_scaled': 'numeric(60,30) scaled_not_negative',
      'positions.principal': 'numeric(40,18) amount_not_negative',
      'positions.scaled': 'numeric(60,30) scaled_not_negative',
    });
  });
});
