import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LedgerService } from '../../src/ledger/ledger.service.js';
import { LedgerCheckService } from '../../src/ledger/ledger-check.service.js';
import { LedgerAccountRef, OverdraftError } from '../../src/ledger/ledger.types.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { Decimal, ZERO, dec } from '../../src/common/money/decimal.js';
import { startTestApp, TestApp } from '../support/test-app.js';
import { withClient } from '../support/database.js';
import { seededRandom } from '../../src/common/random/seeded-random.js';

const AT = new Date('2026-01-01T00:00:00Z');

function account(code: string, asset: string, noOverdraft: boolean, normalSide: 'debit' | 'credit' = 'credit'): LedgerAccountRef {
  return { code, asset, kind: 'test', normalSide, noOverdraft };
}

describe('ledger', () => {
  let app: TestApp;
  let ledger: LedgerService;
  let prisma: PrismaService;
  let checker: LedgerCheckService;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false', DATABASE_POOL_SIZE: '12' });
    ledger = app.get(LedgerService);
    prisma = app.get(PrismaService);
    checker = app.get(LedgerCheckService);
  });
  afterAll(async () => {
    await app?.close();
  });

  const post = (type: string, entries: [LedgerAccountRef, string][]) =>
    prisma.$transaction((tx) =>
      ledger.post(tx, { type, at: AT, entries: entries.map(([ref, amount]) => ({ account: ref, amount: dec(amount) })) }),
    );

  async function balances(): Promise<Map<string, string>> {
    const rows = await prisma.ledgerAccount.findMany({ orderBy: { id: 'asc' } });
    return new Map(rows.map((row) => [`${row.code}/${row.asset}`, dec(row.balance).toFixed()]));
  }

  it('conserves every asset to the unit under random concurrent postings, overdrafts refused', async () => {
    const random = seededRandom(20261124);
    // The world may go either way; customers' positions (credit-normal) may never be overdrawn.
    const world = { BTC: account('rand:world', 'BTC', false), USDC: account('rand:world', 'USDC', false) };
    const customers = ['BTC', 'USDC'].flatMap((asset) =>
      Array.from({ length: 4 }, (_, i) => account(`rand:customer:${i}`, asset, true)),
    );
    const decimals = { BTC: 8, USDC: 6 } as const;
    const expected = new Map<string, Decimal>();
    let refused = 0;

    const attempts = Array.from({ length: 160 }, () => {
      const asset = random() < 0.5 ? 'BTC' : 'USDC';
      const pool = customers.filter((c) => c.asset === asset);
      const from = pool[Math.floor(random() * pool.length)];
      const to = pool[Math.floor(random() * pool.length)];
      const amount = new Decimal(Math.floor(random() * 1_000_000) + 1).div(new Decimal(10).pow(decimals[asset]));
      // Deposits credit a customer from the world; transfers move between customers (may overdraw).
      const entries: [LedgerAccountRef, Decimal][] =
        random() < 0.5 || from === to
          ? [[world[asset], amount], [to, amount.negated()]]
          : [[from, amount], [to, amount.negated()]];
      return entries;
    });

    let next = 0;
    const runner = async () => {
      while (next < attempts.length) {
        const entries = attempts[next++];
        try {
          await prisma.$transaction((tx) =>
            ledger.post(tx, { type: 'random', at: AT, entries: entries.map(([ref, amount]) => ({ account: ref, amount })) }),
          );
          for (const [ref, amount] of entries) {
            const key = `${ref.code}/${ref.asset}`;
            expected.set(key, (expected.get(key) ?? ZERO).plus(amount));
          }
        } catch (error) {
          if (!(error instanceof OverdraftError)) throw error;
          refused += 1;
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, runner));

    expect(refused).toBeGreaterThan(0); // the workload did try to overdraw
    const actual = await balances();
    for (const [key, value] of expected) expect({ key, balance: actual.get(key) }).toEqual({ key, balance: value.toFixed() });
    for (const ref of customers) expect(dec(actual.get(`${ref.code}/${ref.asset}`) ?? '0').lte(0)).toBe(true);
    const check = await checker.check();
    expect(check.mismatches).toEqual([]);
    expect(check.balanced).toBe(true);
    for (const asset of check.assets) expect(asset.debits).toBe(asset.credits);
  });

  it('changes nothing when a posting is refused', async () => {
    const payer = account('refuse:payer', 'BTC', true);
    const payee = account('refuse:payee', 'BTC', true);
    const world = account('refuse:world', 'BTC', false);
    await post('fund', [[world, '1'], [payer, '-1']]);
    const before = await balances();
    const countBefore = await prisma.ledgerEntry.count();
    await expect(post('overdraw', [[payer, '1.00000001'], [payee, '-1.00000001']])).rejects.toBeInstanceOf(OverdraftError);
    expect(await balances()).toEqual(before);
    expect(await prisma.ledgerEntry.count()).toBe(countBefore);
  });

  it('lets the database refuse an overdraft even if the code did not check', async () => {
    const guarded = account('db-guard:customer', 'ETH', true);
    await post('fund', [[account('db-guard:world', 'ETH', false), '2'], [guarded, '-2']]);
    await expect(
      prisma.$executeRaw`UPDATE ledger_accounts SET balance = 1 WHERE code = 'db-guard:customer'`,
    ).rejects.toThrow(/ledger_accounts_no_overdraft/);
  });

  it('refuses to update, delete or truncate entries and transactions', async () => {
    await post('immutable', [[account('imm:a', 'SOL', false), '5'], [account('imm:b', 'SOL', false), '-5']]);
    await withClient(app.databaseUrl, async (client) => {
      await expect(client.query('UPDATE ledger_entries SET amount = amount * 2')).rejects.toThrow(/immutable/);
      await expect(client.query('DELETE FROM ledger_entries')).rejects.toThrow(/immutable/);
      await expect(client.query('TRUNCATE ledger_entries CASCADE')).rejects.toThrow(/immutable/);
      await expect(client.query(`UPDATE ledger_transactions SET type = 'x'`)).rejects.toThrow(/immutable/);
      await expect(client.query('DELETE FROM ledger_transactions')).rejects.toThrow(/immutable/);
    });
  });

  it('refuses, at its statement, a transaction written by hand that does not balance', async () => {
    await withClient(app.databaseUrl, async (client) => {
      const [a, b] = (
        await client.query(`SELECT id FROM ledger_accounts WHERE code IN ('imm:a', 'imm:b') ORDER BY code`)
      ).rows.map((r) => r.id);
      await client.query('BEGIN');
      const tx = await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()) RETURNING id`);
      await expect(
        client.query(`INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount) VALUES ($1, $2, 'SOL', 3), ($1, $3, 'SOL', -2)`, [
          tx.rows[0].id,
          a,
          b,
        ]),
      ).rejects.toThrow(new RegExp(`ledger transaction ${tx.rows[0].id} does not balance: SOL 1`));
      await client.query('ROLLBACK');
    });
  });

  it('checks every transaction one statement touches, and wants all of a transaction\'s entries in one statement', async () => {
    await withClient(app.databaseUrl, async (client) => {
      const [a, b] = (
        await client.query(`SELECT id FROM ledger_accounts WHERE code IN ('imm:a', 'imm:b') ORDER BY code`)
      ).rows.map((r) => r.id);
      const insertEntries = (values: string, params: unknown[]) =>
        client.query(`INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount) VALUES ${values}`, params);
      await client.query('BEGIN');
      const [good, bad] = (
        await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()), ('by-hand', now()) RETURNING id`)
      ).rows.map((r) => r.id);
      // One balanced and one unbalanced transaction in the same statement: the statement is refused.
      await expect(
        insertEntries(`($1, $3, 'SOL', 2), ($1, $4, 'SOL', -2), ($2, $3, 'SOL', 1), ($2, $4, 'BTC', -1)`, [good, bad, a, b]),
      ).rejects.toThrow(new RegExp(`ledger transaction ${bad} does not balance: BTC -1\\.0+; ledger transaction ${bad} does not balance: SOL 1\\.0+$`));
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      const [split] = (await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()) RETURNING id`)).rows.map((r) => r.id);
      // Half a posting now and the other half later is refused at the first half.
      await expect(insertEntries(`($1, $2, 'SOL', 2)`, [split, a])).rejects.toThrow(/does not balance: SOL 2/);
      await client.query('ROLLBACK');
      // A balanced statement passes, and so does the commit.
      await client.query('BEGIN');
      const [fine] = (await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()) RETURNING id`)).rows.map((r) => r.id);
      await insertEntries(`($1, $2, 'SOL', 2), ($1, $3, 'SOL', -2)`, [fine, a, b]);
      await client.query('ROLLBACK'); // balances were not moved: leave no trace for the other tests
    });
  });

  it('checks an entry\'s transaction and account by one index probe each, however long the ledger', async () => {
    const fetched = await withClient(app.databaseUrl, async (client) => {
      const [a, b] = (await client.query(`SELECT id FROM ledger_accounts WHERE code IN ('imm:a', 'imm:b') ORDER BY code`)).rows.map((r) => r.id);
      await client.query('BEGIN');
      try {
        // As inside the money functions (SET enable_seqscan = off), over a short ledger as in a
        // young database: where a hashed SubPlan reading a range of the table looks cheap.
        await client.query('SET LOCAL enable_seqscan = off');
        const posting = async () => {
          const [id] = (await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()) RETURNING id`)).rows.map((r) => r.id);
          await client.query(`INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount) VALUES ($1, $2, 'SOL', 2), ($1, $3, 'SOL', -2)`, [id, a, b]);
        };
        for (let i = 0; i < 300; i += 1) await posting();
        const read = async () =>
          Object.fromEntries(
            (
              await client.query(
                `SELECT relname, idx_tup_fetch + seq_tup_read AS n FROM pg_stat_xact_user_tables WHERE relname IN ('ledger_transactions', 'ledger_accounts')`,
              )
            ).rows.map((r) => [r.relname, Number(r.n)]),
          );
        const before = await read();
        await posting();
        const after = await read();
        return Object.fromEntries(Object.keys(after).map((table) => [table, after[table] - (before[table] ?? 0)]));
      } finally {
        await client.query('ROLLBACK');
      }
    });
    // Two entries: each one's transaction and account probed once (an index read and a fetch each).
    expect(fetched.ledger_transactions).toBeLessThanOrEqual(4);
    expect(fetched.ledger_accounts).toBeLessThanOrEqual(4);
  });

  it('refuses an entry that names no transaction or no ledger account, and keeps every ledger account', async () => {
    await withClient(app.databaseUrl, async (client) => {
      const [a, b] = (await client.query(`SELECT id FROM ledger_accounts WHERE code IN ('imm:a', 'imm:b') ORDER BY code`)).rows.map((r) => r.id);
      /** The SQLSTATE a statement fails with in a transaction that is rolled back, or 'ok'. */
      const outcome = async (sql: (transactionId: string) => string, params: unknown[] = []) => {
        await client.query('BEGIN');
        try {
          const [id] = (await client.query(`INSERT INTO ledger_transactions (type, at) VALUES ('by-hand', now()) RETURNING id`)).rows.map((r) => r.id);
          await client.query(sql(id), params);
          return 'ok';
        } catch (error) {
          return (error as { code: string }).code;
        } finally {
          await client.query('ROLLBACK');
        }
      };
      const entries = (values: string) => () => `INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount) VALUES ${values}`;
      expect({
        balanced: await outcome((id) => entries(`(${id}, $1, 'SOL', 2), (${id}, $2, 'SOL', -2)`)(), [a, b]),
        noTransaction: await outcome(entries(`(-7, $1, 'SOL', 2), (-7, $2, 'SOL', -2)`), [a, b]),
        noAccount: await outcome((id) => entries(`(${id}, $1, 'SOL', 2), (${id}, -7, 'SOL', -2)`)(), [a]),
        deleteAccount: await outcome(() => `DELETE FROM ledger_accounts WHERE id = $1`, [a]),
        truncateAccounts: await outcome(() => 'TRUNCATE ledger_accounts CASCADE'),
        changeAnId: await outcome(() => `UPDATE ledger_accounts SET id = id WHERE id = $1`, [a]),
        moveABalance: await outcome(() => `UPDATE ledger_accounts SET balance = balance WHERE id = $1`, [a]),
      }).toEqual({
        balanced: 'ok',
        noTransaction: '23503',
        noAccount: '23503',
        deleteAccount: '23503',
        truncateAccounts: '23503',
        changeAnId: '23503',
        moveABalance: 'ok',
      });
    });
  });

  it('ledger_post, the SQL functions\' posting, writes and refuses as LedgerService does', async () => {
    await withClient(app.databaseUrl, async (client) => {
      const post = (amounts: string[]) =>
        client.query<{ id: string }>(
          `SELECT ledger_post('by-function', 'sql posting', NULL, now(), '{"k": 1}'::jsonb, $1::text[], $2::text[], $3::text[],
                              $4::uuid[], $5::normal_side[], $6::boolean[], $7::numeric[]) AS id`,
          [['fn:a', 'fn:b'], ['SOL', 'SOL'], ['test', 'test'], [null, null], ['debit', 'credit'], [true, true], amounts],
        );
      const balances = async () =>
        (await client.query(`SELECT code, balance::text FROM ledger_accounts WHERE code IN ('fn:a', 'fn:b') ORDER BY code`)).rows.map(
          (r) => `${r.code} ${dec(r.balance).toFixed()}`,
        );
      const { id } = (await post(['2', '-2'])).rows[0];
      expect(await balances()).toEqual(['fn:a 2', 'fn:b -2']);
      const entries = await client.query(`SELECT amount::text FROM ledger_entries WHERE transaction_id = $1 ORDER BY id`, [id]);
      expect(entries.rows.map((r) => dec(r.amount).toFixed())).toEqual(['2', '-2']);
      // fn:a (debit, no overdraft) would go to -1: the CHECK refuses it and nothing is written.
      await expect(post(['-3', '3'])).rejects.toThrow(/ledger_accounts_no_overdraft/);
      await expect(post(['1', '-2'])).rejects.toThrow(/does not balance: SOL -1/);
      expect(await balances()).toEqual(['fn:a 2', 'fn:b -2']);
      expect((await client.query(`SELECT count(*)::int AS n FROM ledger_transactions WHERE type = 'by-function'`)).rows[0].n).toBe(1);
    });
  });

  it('refuses a posting that does not balance before touching the database', async () => {
    await expect(post('bad', [[account('x:a', 'BTC', false), '1'], [account('x:b', 'BTC', false), '-0.5']])).rejects.toThrow(
      /does not balance in BTC/,
    );
    await expect(post('bad', [[account('x:a', 'BTC', false), '1'], [account('x:b', 'ETH', false), '-1']])).rejects.toThrow(
      /does not balance/,
    );
    expect(await prisma.ledgerAccount.count({ where: { code: { startsWith: 'x:' } } })).toBe(0);
  });

  it('reverses a transaction exactly, once', async () => {
    const a = account('rev:a', 'USDT', false);
    const b = account('rev:b', 'USDT', false);
    await post('seed', [[a, '10'], [b, '-10']]);
    const before = await balances();
    const { transactionId } = await post('mistake', [[a, '3.25'], [b, '-3.25']]);
    await prisma.$transaction((tx) => ledger.reverse(tx, transactionId, AT, 'entered twice'));
    expect(await balances()).toEqual(before);
    await expect(prisma.$transaction((tx) => ledger.reverse(tx, transactionId, AT, 'again'))).rejects.toThrow();
    expect(await balances()).toEqual(before);
  });

  it('never deadlocks when postings lock the same accounts in opposite orders', async () => {
    const a = account('dl:a', 'BTC', false);
    const b = account('dl:b', 'BTC', false);
    const c = account('dl:c', 'BTC', false);
    await post('open', [[a, '1'], [b, '-1']]);
    await post('open', [[c, '1'], [b, '-1']]);
    const jobs = Array.from({ length: 60 }, (_, i) =>
      i % 3 === 0
        ? post('ab', [[a, '0.01'], [b, '-0.01']])
        : i % 3 === 1
          ? post('ba', [[b, '0.01'], [c, '0.01'], [a, '-0.02']])
          : post('ca', [[c, '0.01'], [a, '-0.01']]),
    );
    await Promise.all(jobs);
    const actual = await balances();
    // 20 × (+0.01 − 0.02 − 0.01) on a; 20 × (−0.01 + 0.01) on b; 20 × (0.01 + 0.01) on c.
    expect(actual.get('dl:a/BTC')).toBe('0.6');
    expect(actual.get('dl:b/BTC')).toBe('-2');
    expect(actual.get('dl:c/BTC')).toBe('1.4');
  });

  it('posts many transactions at once as if one by one: each balanced, overdraft judged in order', async () => {
    const world = account('many:world', 'BTC', false);
    const alice = account('many:alice', 'BTC', true);
    const bob = account('many:bob', 'BTC', true);
    const entries = (from: LedgerAccountRef, to: LedgerAccountRef, amount: string) => [
      { account: from, amount: dec(amount) },
      { account: to, amount: dec(amount).negated() },
    ];
    const before = await prisma.ledgerTransaction.count();
    // Alice receives 2, passes 1.5 to Bob, who passes 1 back: fine in this order only.
    const posted = await prisma.$transaction((tx) =>
      ledger.postMany(tx, [
        { type: 'many', at: AT, entries: entries(world, alice, '2') },
        { type: 'many', at: AT, entries: entries(alice, bob, '1.5') },
        { type: 'many', at: AT, entries: entries(bob, alice, '1') },
      ]),
    );
    expect(posted).toHaveLength(3);
    expect(await prisma.ledgerTransaction.count()).toBe(before + 3);
    const rows = await prisma.ledgerEntry.findMany({ where: { transactionId: { in: posted.map((p) => p.transactionId) } } });
    for (const { transactionId } of posted) {
      const own = rows.filter((r) => r.transactionId === transactionId);
      expect(own).toHaveLength(2);
      expect(own.reduce((sum, r) => sum.plus(dec(r.amount)), ZERO).isZero()).toBe(true);
    }
    const after = await balances();
    expect([after.get('many:alice/BTC'), after.get('many:bob/BTC'), after.get('many:world/BTC')]).toEqual(['-1.5', '-0.5', '2']);
    // Bob paying back before he has been paid overdraws him at that step: nothing is written.
    await expect(
      prisma.$transaction((tx) =>
        ledger.postMany(tx, [
          { type: 'many', at: AT, entries: entries(bob, alice, '1') },
          { type: 'many', at: AT, entries: entries(world, bob, '5') },
        ]),
      ),
    ).rejects.toBeInstanceOf(OverdraftError);
    expect(await balances()).toEqual(after);
    expect((await checker.check()).balanced).toBe(true);
  });

  it('reports a cached balance that disagrees with its entries', async () => {
    await prisma.$executeRaw`UPDATE ledger_accounts SET balance = balance + 0.00000001 WHERE code = 'rev:a'`;
    const check = await checker.check();
    expect(check.balanced).toBe(false);
    expect(check.mismatches).toEqual([
      { kind: 'cached_balance', ledgerAccount: 'rev:a', asset: 'USDT', cached: '10.00000001', fromEntries: '10' },
    ]);
    await prisma.$executeRaw`UPDATE ledger_accounts SET balance = balance - 0.00000001 WHERE code = 'rev:a'`;
    expect((await checker.check()).balanced).toBe(true);
  });
});
