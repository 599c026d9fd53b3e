import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';
import { dec } from '../../src/common/money/decimal.js';

/**
 * money_deposit moves each ledger account of its posting by the sum of that account's entries
 * (20261209120000_ledger_balances_by_entry): by its one entry when every entry has an account
 * of its own (the money path's postings), by the sum otherwise, and not at all when the sum is
 * zero (the row is locked, not rewritten). Each case runs in a transaction that is rolled back.
 * The first case's figures are the same whichever of the two statements runs (which one does
 * shows only in the instructions it costs; see the migration); the others fail if a posting
 * that names an account twice takes the one-entry statement.
 */
describe('the ledger balances a movement moves', () => {
  let app: TestApp;
  let accountId: string;
  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
    const w = world(app);
    await w.lendingMarket('10000');
    const lender = await w.user('lender');
    accountId = lender.accountId;
    await w.deposit(lender.apiKey, accountId, 'BTC', '2');
  });
  afterAll(async () => {
    await app?.close();
  });

  /**
   * What a deposit of 0.5 BTC posted as `entries` (code, amount) did to each ledger account it
   * names: its balance after less before, and whether this transaction rewrote its row.
   */
  async function moved(entries: [code: string, amount: string][]): Promise<Record<string, string>> {
    const codes = entries.map(([code]) => code.replace('<account>', accountId));
    const read = async (client: pg.Client) =>
      (
        await client.query<{ code: string; balance: string; written: boolean }>(
          `SELECT code, balance::text, xmin = pg_current_xact_id()::xid AS written FROM ledger_accounts WHERE asset = 'BTC' AND code = ANY ($1)`,
          [codes],
        )
      ).rows;
    return withClient(app.databaseUrl, async (client) => {
      await client.query('BEGIN');
      try {
        const before = new Map((await read(client)).map((r) => [r.code, r.balance]));
        // The position comes back as text: id, scaled, principal, matures at.
        const begun = await client.query<{ state: { now: string; position: [string, string, string, string] } }>(
          `SELECT money_begin('admin', NULL, NULL, now(), $1, NULL, NULL, NULL, 'BTC', 'market:cash', false) AS state`,
          [accountId],
        );
        const { now, position } = begun.rows[0].state;
        const kind = (code: string) => (code.startsWith('account:') ? 'position' : 'market_cash');
        await client.query(
          `SELECT money_deposit($1::uuid, 'BTC', 'base', $2::timestamptz, 0, 0.5, 0.5, $2::timestamptz + interval '7 days',
             'balances', '{}'::jsonb, $3::text[], array_fill('BTC'::text, ARRAY[$7::int]), $4::text[],
             $5::uuid[], $6::normal_side[], array_fill(true, ARRAY[$7::int]), $8::numeric[],
             NULL, NULL, NULL, $9::numeric + 0.5, $10::numeric + 0.5)`,
          [
            accountId,
            now,
            codes,
            codes.map(kind),
            codes.map((code) => (kind(code) === 'position' ? accountId : null)),
            codes.map((code) => (kind(code) === 'position' ? 'credit' : 'debit')),
            codes.length,
            entries.map(([, amount]) => amount),
            position[1],
            position[2],
          ],
        );
        const after = await read(client);
        return Object.fromEntries(
          after.map((r) => [r.code.replace(accountId, '<account>'), `${dec(r.balance).minus(dec(before.get(r.code)!)).toFixed()}${r.written ? '' : ' (not rewritten)'}`]),
        );
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  it('by its one entry, when every entry names an account of its own', async () => {
    expect(await moved([['market:cash', '0.5'], ['account:<account>:position', '-0.5']])).toEqual({ 'market:cash': '0.5', 'account:<account>:position': '-0.5' });
  });

  it('by the sum of its entries, when an account is named twice', async () => {
    expect(await moved([['market:cash', '0.2'], ['account:<account>:position', '-0.5'], ['market:cash', '0.3']])).toEqual({
      'market:cash': '0.5',
      'account:<account>:position': '-0.5',
    });
  });

  it("by the sum of its entries, when two of an account's entries cancel out", async () => {
    expect(
      await moved([['market:cash', '0.5'], ['account:<account>:position', '-0.2'], ['account:<account>:position', '0.2'], ['account:<account>:position', '-0.5']]),
    ).toEqual({ 'market:cash': '0.5', 'account:<account>:position': '-0.5' });
  });

  it('not at all, when the entries of an account sum to zero', async () => {
    expect(await moved([['market:cash', '0.5'], ['market:cash', '-0.5'], ['account:<account>:position', '0.5'], ['account:<account>:position', '-0.5']])).toEqual({
      'market:cash': '0 (not rewritten)',
      'account:<account>:position': '0 (not rewritten)',
    });
  });
});
