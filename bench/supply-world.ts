import type { PrismaService } from '../src/prisma/prisma.service.js';
import type { LedgerService } from '../src/ledger/ledger.service.js';
import type { EntryInput } from '../src/ledger/ledger.types.js';
import { chart } from '../src/ledger/chart.js';
import { dec } from '../src/common/money/decimal.js';

export interface SupplyWorld {
  positions: number;
  loans: number;
  /** The assets the positions and loans are spread over (round robin). */
  assets: readonly string[];
}

/**
 * Positions and loans written in bulk with SQL (the world, not the thing measured), with 2 units
 * per position and 6 per loan, on accounts that hold nothing else; the markets' totals set to
 * match, and one balanced ledger transaction per asset for the money. Everything is in the base
 * lanes (no bench account holds LAB). Build it before any other world touching the same assets.
 */
export async function buildSupplyWorld(prisma: PrismaService, ledger: LedgerService, world: SupplyWorld): Promise<void> {
  const assets = [...world.assets];
  const count = assets.length;
  await prisma.$executeRaw`
    INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
    SELECT gen_random_uuid(), gen_random_uuid(), (${assets}::text[])[1 + i % ${count}::int], 2, 2, '2026-01-08', '2026-01-01', '2026-01-01'
    FROM generate_series(1, ${world.positions}::int) AS i`;
  await prisma.$executeRaw`
    INSERT INTO loans (id, account_id, asset, scaled_debt, principal, borrowed, opened_at, updated_at)
    SELECT gen_random_uuid(), gen_random_uuid(), (${assets}::text[])[1 + i % ${count}::int], 6, 6, 6, '2026-01-01', '2026-01-01'
    FROM generate_series(1, ${world.loans}::int) AS i`;
  const sums = await prisma.$queryRaw<{ asset: string; supplied: string; borrowed: string }[]>`
    SELECT a.asset,
           coalesce((SELECT sum(principal) FROM positions p WHERE p.asset = a.asset), 0)::text AS supplied,
           coalesce((SELECT sum(principal) FROM loans l WHERE l.asset = a.asset), 0)::text AS borrowed
    FROM unnest(${assets}::text[]) AS a(asset)`;
  for (const { asset, supplied, borrowed } of sums) {
    // With every index at 1, scaled amounts equal principals.
    await prisma.$executeRaw`
      UPDATE market_lanes SET total_supply_scaled = ${supplied}::numeric, total_borrow_scaled = ${borrowed}::numeric,
        supply_principal = ${supplied}::numeric, borrow_principal = ${borrowed}::numeric
      WHERE asset = ${asset} AND tier = 'base'`;
    const bench = { code: 'bench:customers', asset, kind: 'bench', normalSide: 'credit' as const, noOverdraft: false };
    const entries: EntryInput[] = [
      { account: chart.marketCash(asset), amount: dec(supplied).minus(borrowed) },
      { account: { ...bench, code: 'bench:debts', normalSide: 'debit' }, amount: dec(borrowed) },
      { account: bench, amount: dec(supplied).negated() },
    ];
    await prisma.$transaction((tx) =>
      ledger.post(tx, {
        type: 'bench-world',
        at: new Date('2026-01-01T00:00:00Z'),
        entries: entries.filter((entry) => !entry.amount.isZero()),
      }),
    );
  }
  await prisma.$executeRaw`ANALYZE`;
}
