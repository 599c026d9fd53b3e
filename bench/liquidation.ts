// A price crash that makes 10,000 of 100,000 loans liquidatable: the time from the price
// update until every liquidation is posted, with one and with two worker processes, against
// the baseline of one SQL statement that only finds those accounts.
//   npm run bench -- liquidation
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { PricesService } from '../src/prices/prices.service.js';
import { RiskSweeps } from '../src/risk/risk.jobs.js';
import { RiskSweepService } from '../src/risk/risk-sweep.service.js';
import { LedgerCheckService } from '../src/ledger/ledger-check.service.js';
import { BenchServices, fmt, startBenchApp, startBenchServices, startWorkerProcess, timed } from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);
const AT = '2026-01-01T00:00:00Z';

/**
 * Every account holds 1 BTC (lent) and owes USDC: one in ten owes 25,000 (LTV 0.5 at 50,000),
 * the rest 15,000 (0.3). At 30,000 the first group reaches 0.8333 ≥ 0.833 (liquidation) and
 * the rest sit at 0.5 (healthy). Written in bulk with SQL, ledger included (one balanced
 * transaction per account, as deposits and loans would have made), so the liquidations post
 * against real balances.
 */
async function buildWorld(prisma: PrismaService, prices: PricesService): Promise<void> {
  await prices.set('BTC', '50000');
  await prices.set('USDC', '1');
  const userId = randomUUID();
  await prisma.$executeRaw`INSERT INTO users (id, name, kyc_status, created_at) VALUES (${userId}::uuid, 'bench', 'approved', ${AT}::timestamptz)`;
  await prisma.$executeRaw`
    INSERT INTO accounts (id, user_id, label, is_main, created_at)
    SELECT gen_random_uuid(), ${userId}::uuid, 'bench ' || i, false, ${AT}::timestamptz FROM generate_series(1, ${LOANS}::int) i`;
  await prisma.$executeRaw`
    CREATE TABLE bench_world AS
    SELECT id AS account_id, CASE WHEN seq % 10 = 0 THEN 25000 ELSE 15000 END::numeric AS debt FROM accounts`;
  await prisma.$executeRaw`
    INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
    SELECT gen_random_uuid(), account_id, 'BTC', 1, 1, ${AT}::timestamptz + interval '7 days', ${AT}::timestamptz, ${AT}::timestamptz FROM bench_world`;
  await prisma.$executeRaw`
    INSERT INTO loans (id, account_id, asset, scaled_debt, principal, borrowed, opened_at, updated_at)
    SELECT gen_random_uuid(), account_id, 'USDC', debt, debt, debt, ${AT}::timestamptz, ${AT}::timestamptz FROM bench_world`;
  // A lender supplies the USDC that was borrowed (and more).
  const lenderAccount = randomUUID();
  await prisma.$executeRaw`INSERT INTO accounts (id, user_id, label, is_main, created_at) VALUES (${lenderAccount}::uuid, ${userId}::uuid, 'lender', false, ${AT}::timestamptz)`;
  await prisma.$executeRaw`
    INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
    VALUES (gen_random_uuid(), ${lenderAccount}::uuid, 'USDC', 5000000000, 5000000000, ${AT}::timestamptz, ${AT}::timestamptz, ${AT}::timestamptz)`;
  // Ledger: accounts with their balances, one transaction per customer account with its four entries.
  await prisma.$executeRaw`
    INSERT INTO ledger_accounts (code, asset, kind, account_id, normal_side, no_overdraft, balance, created_at)
    SELECT code, asset, kind, account_id, side::normal_side, no_overdraft, balance, created_at FROM (
    SELECT 'account:' || account_id || ':position', 'BTC', 'position', account_id, 'credit', true, -1, ${AT}::timestamptz FROM bench_world
    UNION ALL
    SELECT 'account:' || account_id || ':debt', 'USDC', 'debt', account_id, 'debit', true, debt, ${AT}::timestamptz FROM bench_world
    UNION ALL
    SELECT 'account:' || ${lenderAccount} || ':position', 'USDC', 'position', ${lenderAccount}::uuid, 'credit', true, -5000000000, ${AT}::timestamptz
    UNION ALL
    SELECT 'market:cash', 'BTC', 'market_cash', NULL, 'debit', true, ${LOANS}::numeric, ${AT}::timestamptz
    UNION ALL
    SELECT 'market:cash', 'USDC', 'market_cash', NULL, 'debit', true, 5000000000 - (SELECT sum(debt) FROM bench_world), ${AT}::timestamptz
    ) AS a(code, asset, kind, account_id, side, no_overdraft, balance, created_at)`;
  await prisma.$executeRaw`
    WITH txs AS (
      INSERT INTO ledger_transactions (type, account_id, at, description)
      SELECT 'bench-world', account_id, ${AT}::timestamptz, 'deposit 1 BTC, borrow ' || debt || ' USDC' FROM bench_world
      RETURNING id, account_id
    )
    INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount)
    SELECT txs.id, la.id, la.asset, e.amount
    FROM txs JOIN bench_world w ON w.account_id = txs.account_id
    CROSS JOIN LATERAL (VALUES
      ('market:cash', 'BTC', 1::numeric), ('account:' || w.account_id || ':position', 'BTC', -1::numeric),
      ('account:' || w.account_id || ':debt', 'USDC', w.debt), ('market:cash', 'USDC', -w.debt)) AS e(code, asset, amount)
    JOIN ledger_accounts la ON la.code = e.code AND la.asset = e.asset`;
  await prisma.$executeRaw`
    WITH tx AS (INSERT INTO ledger_transactions (type, account_id, at) VALUES ('bench-world', ${lenderAccount}::uuid, ${AT}::timestamptz) RETURNING id)
    INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount)
    SELECT tx.id, la.id, 'USDC', CASE WHEN la.kind = 'market_cash' THEN 5000000000 ELSE -5000000000 END
    FROM tx, ledger_accounts la WHERE la.asset = 'USDC' AND (la.code = 'market:cash' OR la.code = ${'account:' + lenderAccount + ':position'})`;
  // Every bench account is in the base tier: the base lanes hold the scaled sums.
  await prisma.$executeRaw`
    UPDATE markets m SET supply_principal = s.scaled FROM (SELECT asset, sum(scaled) AS scaled FROM positions GROUP BY asset) s WHERE m.asset = s.asset`;
  await prisma.$executeRaw`
    UPDATE market_lanes m SET total_supply_scaled = s.scaled
    FROM (SELECT asset, sum(scaled) AS scaled FROM positions GROUP BY asset) s WHERE m.asset = s.asset AND m.tier = 'base'`;
  await prisma.$executeRaw`
    UPDATE markets m SET borrow_principal = l.scaled FROM (SELECT asset, sum(scaled_debt) AS scaled FROM loans GROUP BY asset) l WHERE m.asset = l.asset`;
  await prisma.$executeRaw`
    UPDATE market_lanes m SET total_borrow_scaled = l.scaled
    FROM (SELECT asset, sum(scaled_debt) AS scaled FROM loans GROUP BY asset) l WHERE m.asset = l.asset AND m.tier = 'base'`;
  await prisma.$executeRaw`DROP TABLE bench_world`;
  await prisma.$executeRaw`ANALYZE`;
}

export interface LiquidationFigures {
  workers: number;
  loans: number;
  liquidated: number;
  crashMs: number;
  findMs: number;
}

export async function measureLiquidation(services: BenchServices, workers: 1 | 2): Promise<LiquidationFigures> {
  const { app, databaseUrl, config } = await startBenchApp(services, `liquidation${workers}`);
  const extra: { stop(): Promise<void> }[] = [];
  try {
    const prisma = app.get(PrismaService);
    await buildWorld(prisma, app.get(PricesService));
    if (workers === 2) extra.push(await startWorkerProcess(services, databaseUrl, config.queuePrefix));
    const crash = await timed(async () => {
      const point = await app.get(PricesService).set('BTC', '30000');
      await app.get(RiskSweeps).sweep(`price-${point.pointId}`, true);
    });
    const found = await timed(() => app.get(RiskSweepService).accountsToReview());
    const liquidated = await prisma.ledgerTransaction.count({ where: { type: 'liquidation' } });
    const expected = Math.floor(LOANS / 10);
    if (liquidated !== expected) throw new Error(`expected ${expected} liquidations, found ${liquidated}`);
    const check = await app.get(LedgerCheckService).check();
    if (!check.balanced) throw new Error(`ledger not balanced: ${JSON.stringify(check.mismatches.slice(0, 3))}`);
    return { workers, loans: LOANS, liquidated, crashMs: crash.ms, findMs: found.ms };
  } finally {
    for (const worker of extra) await worker.stop();
    await app.close();
  }
}

export function reportLiquidation(results: LiquidationFigures[]): string[] {
  return [
    '## Liquidation after a crash',
    '',
    '| worker processes | loans | liquidated | price update → every liquidation posted | baseline: one SQL statement finding those accounts |',
    '|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.workers} | ${r.loans.toLocaleString('en')} | ${r.liquidated.toLocaleString('en')} | ${fmt(r.crashMs)} | ${fmt(r.findMs)} |`),
    '',
    'Target: seconds, not minutes (issue 4); this project aims at under 10 s.',
  ];
}

if (process.argv[1]?.endsWith('liquidation.js')) {
  const services = await startBenchServices();
  try {
    const results = [await measureLiquidation(services, 1), await measureLiquidation(services, 2)];
    process.stdout.write(reportLiquidation(results).join('\n') + '\n');
  } finally {
    await services.stop();
  }
}
