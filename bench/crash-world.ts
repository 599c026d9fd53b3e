import { randomUUID } from 'node:crypto';
import type { PrismaService } from '../src/prisma/prisma.service.js';
import type { PricesService } from '../src/prices/prices.service.js';

const AT = '2026-01-01T00:00:00Z';

/**
 * Every account holds 1 BTC (lent) and owes USDC: one in ten owes 25,000 (LTV 0.5 at 50,000),
 * the rest 15,000 (0.3). At 30,000 the first group reaches 0.8333 ≥ 0.833 (liquidation) and
 * the rest sit at 0.5 (healthy). Written in bulk with SQL, ledger included (one balanced
 * transaction per account, as deposits and loans would have made), so the liquidations post
 * against real balances.
 */
export async function buildCrashWorld(prisma: PrismaService, prices: PricesService, loans: number): Promise<void> {
  await prices.set('BTC', '50000');
  await prices.set('USDC', '1');
  const userId = randomUUID();
  await prisma.$executeRaw`INSERT INTO users (id, name, kyc_status, created_at) VALUES (${userId}::uuid, 'bench', 'approved', ${AT}::timestamptz)`;
  await prisma.$executeRaw`
    INSERT INTO accounts (id, user_id, label, is_main, created_at)
    SELECT gen_random_uuid(), ${userId}::uuid, 'bench ' || i, false, ${AT}::timestamptz FROM generate_series(1, ${loans}::int) i`;
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
  // The markets' platform accounts exist from start-up (empty): their balances are set here too.
  await prisma.$executeRaw`
    INSERT INTO ledger_accounts (code, asset, kind, account_id, normal_side, no_overdraft, balance, created_at)
    SELECT code, asset, kind, account_id, side::normal_side, no_overdraft, balance, created_at FROM (
    SELECT 'account:' || account_id || ':position', 'BTC', 'position', account_id, 'credit', true, -1, ${AT}::timestamptz FROM bench_world
    UNION ALL
    SELECT 'account:' || account_id || ':debt', 'USDC', 'debt', account_id, 'debit', true, debt, ${AT}::timestamptz FROM bench_world
    UNION ALL
    SELECT 'account:' || ${lenderAccount} || ':position', 'USDC', 'position', ${lenderAccount}::uuid, 'credit', true, -5000000000, ${AT}::timestamptz
    UNION ALL
    SELECT 'market:cash', 'BTC', 'market_cash', NULL, 'debit', true, ${loans}::numeric, ${AT}::timestamptz
    UNION ALL
    SELECT 'market:cash', 'USDC', 'market_cash', NULL, 'debit', true, 5000000000 - (SELECT sum(debt) FROM bench_world), ${AT}::timestamptz
    ) AS a(code, asset, kind, account_id, side, no_overdraft, balance, created_at)
    ON CONFLICT (code, asset) DO UPDATE SET balance = EXCLUDED.balance`;
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
  // Every bench account is in the base tier: the base lanes hold the scaled and principal sums.
  await prisma.$executeRaw`
    UPDATE market_lanes m SET total_supply_scaled = s.scaled, supply_principal = s.principal
    FROM (SELECT asset, sum(scaled) AS scaled, sum(principal) AS principal FROM positions GROUP BY asset) s WHERE m.asset = s.asset AND m.tier = 'base'`;
  await prisma.$executeRaw`
    UPDATE market_lanes m SET total_borrow_scaled = l.scaled, borrow_principal = l.principal
    FROM (SELECT asset, sum(scaled_debt) AS scaled, sum(principal) AS principal FROM loans GROUP BY asset) l WHERE m.asset = l.asset AND m.tier = 'base'`;
  await prisma.$executeRaw`DROP TABLE bench_world`;
  await prisma.$executeRaw`ANALYZE`;
}

