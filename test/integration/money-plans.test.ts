import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';
import type pg from 'pg';

/**
 * Every statement of a money movement reads its rows by key. In a small world (a sandbox, the
 * bench's 256 accounts) the planner, left to itself, scans small tables whole (accounts, users,
 * loans: a seq scan looks cheaper than an index probe below a few pages), which costs every
 * movement work in proportion to the table and was about a tenth of a deposit's instructions
 * (20261208100000_money_functions_read_by_key). The money functions plan with sequential scans
 * off: the first test checks what they do, in Postgres's own per-transaction counters; the
 * second that all five still carry the setting (a CREATE OR REPLACE drops it unless restated).
 */
describe('the money functions', () => {
  let app: TestApp;
  let accountId: string;
  let loanId: string;
  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
    // A lender besides the borrower, so that no table the movements read has a single row.
    ({ accountId, loanId } = await world(app).borrowerWithLoan('reader', '1.25', '100'));
  });
  afterAll(async () => {
    await app?.close();
  });

  /** What money_begin answers that these tests read; the position as text: id, scaled, principal, matures at. */
  type Begun = { key_id: string; now: string; position: [string, string, string, string]; cash: string | null; has_loans: boolean | null };
  /** As DepositStatements calls it, under `key` (none: null); with a withdrawal's cover too when `cashCode` is given. */
  const begin = async (client: pg.Client, key: string | null, cashCode: string | null = null) =>
    (await client.query<{ state: Begun }>(`SELECT money_begin('admin', $2, 'h', now(), $1, NULL, NULL, NULL, 'BTC', $3, false) AS state`, [accountId, key, cashCode])).rows[0].state;
  /** A deposit of 0.5 BTC posted to `codes` (market cash, then the position), written against the position as begun. */
  const deposit = (client: pg.Client, state: Begun, codes = ['market:cash', `account:${accountId}:position`]) =>
    client.query(
      `SELECT money_deposit($1::uuid, 'BTC', 'base', $5::timestamptz, 0, 0.5, 0.5, $5::timestamptz + interval '7 days',
         'plans', '{}'::jsonb, $6::text[], ARRAY['BTC', 'BTC'], ARRAY['market_cash', 'position'],
         ARRAY[NULL, $1::uuid], ARRAY['debit', 'credit']::normal_side[], ARRAY[true, true], ARRAY[0.5, -0.5]::numeric[],
         $2::bigint, 201, '{}', $3::numeric + 0.5, $4::numeric + 0.5)`,
      [accountId, state.key_id, state.position[1], state.position[2], state.now, codes],
    );

  it('move a deposit without scanning any table whole', async () => {
    const scanned = await withClient(app.databaseUrl, async (client) => {
      // Statistics as autovacuum leaves them in a sandbox that has run a while: small tables known small.
      await client.query('ANALYZE');
      await client.query('BEGIN');
      try {
        // As DepositStatements calls them: the state read under its locks (with a withdrawal's
        // cover too, so that its reads are checked for whole scans as well), then the movement
        // written against the position as read (its expected scaled and principal).
        const state = await begin(client, 'plans-1', 'market:cash');
        expect(state.position).not.toBeNull();
        await deposit(client, state);
        // A repayment's state: the loan locked, the account's loans read.
        const begunLoan = await client.query(
          `SELECT money_begin_loan('admin', 'plans-2', 'h', now(), $1, NULL, NULL, NULL, 'market:cash', false) AS state`,
          [loanId],
        );
        expect(begunLoan.rows[0].state).toMatchObject({ outcome: 'ready', asset: 'USDC', has_loans: true, loan: { id: loanId } });
        // Counted before the COMMIT: the functions' statements and the triggers they fire (the
        // entries' balance, transaction and account are checked as their INSERT ends, inside the
        // function and its setting, 20261210110000), and the position change's foreign key.
        const counts = await client.query<{ relname: string; seq_scan: string }>(
          'SELECT relname, seq_scan FROM pg_stat_xact_user_tables WHERE seq_scan > 0 ORDER BY relname',
        );
        return counts.rows.map((row) => `${row.relname}: ${row.seq_scan}`);
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(scanned).toEqual([]);
  });

  it("read a withdrawal's cover only when asked: a deposit's state reads neither the market's cash nor the loans", async () => {
    const reads = await withClient(app.databaseUrl, async (client) => {
      await client.query('BEGIN');
      try {
        // Index and whole-table scans so far in this transaction, of the two tables the cover reads.
        const scans = async () => {
          const { rows } = await client.query<{ relname: string; scans: string }>(
            `SELECT relname, (coalesce(idx_scan, 0) + seq_scan)::text AS scans FROM pg_stat_xact_user_tables WHERE relname IN ('ledger_accounts', 'loans')`,
          );
          return (table: string) => Number(rows.find((row) => row.relname === table)?.scans ?? 0);
        };
        const begun = async (cashCode: string | null) => {
          const before = await scans();
          const { cash, has_loans } = await begin(client, null, cashCode);
          const after = await scans();
          return { cash, has_loans, ledgerAccounts: after('ledger_accounts') - before('ledger_accounts'), loans: after('loans') - before('loans') };
        };
        return { deposit: await begun(null), withdrawal: await begun('market:cash') };
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(reads.deposit).toEqual({ cash: null, has_loans: null, ledgerAccounts: 0, loans: 0 });
    // The borrower owes USDC and has lent BTC: the market's cash is what the lender and they supplied.
    expect(reads.withdrawal).toEqual({ cash: expect.stringMatching(/^[1-9]\d*\.\d+$/), has_loans: true, ledgerAccounts: 1, loans: 1 });
  });

  it("leave the market lanes' pages four-fifths empty, so their dead versions are pruned a few at a time", async () => {
    const tables = await withClient(app.databaseUrl, (client) =>
      client.query<{ relname: string; reloptions: string[] | null }>(
        `SELECT relname, reloptions FROM pg_class WHERE relname IN ('markets', 'market_lanes') AND relkind = 'r' ORDER BY relname`,
      ),
    );
    // Every movement rewrites its lane's row; the market's row only a day's close and a parameter
    // change (20261211130000: the principal totals moved into the lanes).
    expect(tables.rows).toEqual([
      { relname: 'market_lanes', reloptions: ['fillfactor=20'] },
      { relname: 'markets', reloptions: null },
    ]);
  });

  it('all plan with sequential scans off, the movements that read a loan too', async () => {
    const settings = await withClient(app.databaseUrl, (client) =>
      client.query<{ proname: string; proconfig: string[] | null }>(
        `SELECT proname, proconfig FROM pg_proc
         WHERE proname IN ('money_begin', 'money_begin_loan', 'money_deposit', 'money_withdraw', 'money_repay') ORDER BY proname`,
      ),
    );
    // The three that move ledger balances lock them by their UPDATE's index scan (20261211140000).
    const locking = ['money_deposit', 'money_repay', 'money_withdraw'];
    expect(settings.rows).toEqual(
      ['money_begin', 'money_begin_loan', ...locking].map((proname) => ({
        proname,
        proconfig: locking.includes(proname) ? ['enable_seqscan=off', 'enable_bitmapscan=off'] : ['enable_seqscan=off'],
      })),
    );
  });

  it("lock the ledger accounts they move in id order: the balances' UPDATE scans the primary key's index", async () => {
    // The UPDATE locks each row as its scan reaches it: through the primary key, in id order (a
    // bitmap heap scan would go in page order, a sequential scan in any). auto_explain reports
    // each statement's plan, those inside the function too, as a NOTICE.
    const plans = await withClient(app.databaseUrl, async (client) => {
      const notices: string[] = [];
      client.on('notice', (notice) => notices.push(notice.message ?? ''));
      await client.query(`LOAD 'auto_explain'`);
      await client.query(`SET auto_explain.log_min_duration = 0; SET auto_explain.log_nested_statements = on; SET auto_explain.log_level = notice`);
      await client.query('BEGIN');
      try {
        await deposit(client, await begin(client, 'plans-lock-order'));
      } finally {
        await client.query('ROLLBACK');
      }
      return notices.filter((n) => n.includes('Update on ledger_accounts'));
    });
    expect(plans).toHaveLength(1);
    expect(plans[0]).toMatch(/Index Scan using ledger_accounts_pkey on ledger_accounts/);
    expect(plans[0]).not.toMatch(/Bitmap/);
  });
});
