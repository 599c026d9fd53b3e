import { Injectable } from '@nestjs/common';
import { dec } from '../common/money/decimal.js';
import { findAsset } from '../common/money/assets.js';
import { PrismaService } from '../prisma/prisma.service.js';

export interface LedgerCheck {
  balanced: boolean;
  assets: { asset: string; debits: string; credits: string }[];
  mismatches: LedgerMismatch[];
}

export type LedgerMismatch =
  | { kind: 'cached_balance'; ledgerAccount: string; asset: string; cached: string; fromEntries: string }
  | { kind: 'unbalanced_transaction'; transactionId: string; asset: string; sum: string };

/** At most this many mismatches of each kind are listed; one is already an alarm. */
const MISMATCH_LIMIT = 100;

const show = (asset: string, value: string) => {
  const decimals = findAsset(asset)?.decimals;
  return decimals === undefined ? dec(value).toFixed() : dec(value).toFixed(decimals);
};

/**
 * Recomputes the ledger from its entries, whatever the cached balances say: every asset's
 * debits must equal its credits, every transaction must balance per asset, and every cached
 * balance must equal the sum of its account's entries. Whole-table aggregates in SQL, on purpose.
 */
@Injectable()
export class LedgerCheckService {
  constructor(private readonly prisma: PrismaService) {}

  async check(): Promise<LedgerCheck> {
    return this.prisma.$transaction(
      async (tx) => {
        // One snapshot for all three reads, so postings committed meanwhile cannot make a
        // consistent ledger look inconsistent.
        await tx.$executeRaw`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`;
        const totals = await tx.$queryRaw<{ asset: string; debits: string; credits: string }[]>`
          SELECT asset,
                 coalesce(sum(amount) FILTER (WHERE amount > 0), 0)::text AS debits,
                 coalesce(-sum(amount) FILTER (WHERE amount < 0), 0)::text AS credits
          FROM ledger_entries GROUP BY asset ORDER BY asset`;
        const cached = await tx.$queryRaw<{ code: string; asset: string; cached: string; from_entries: string }[]>`
          SELECT la.code, la.asset, la.balance::text AS cached, coalesce(s.total, 0)::text AS from_entries
          FROM ledger_accounts la
          LEFT JOIN (SELECT ledger_account_id, sum(amount) AS total FROM ledger_entries GROUP BY 1) s
            ON s.ledger_account_id = la.id
          WHERE la.balance <> coalesce(s.total, 0)
          ORDER BY la.id LIMIT ${MISMATCH_LIMIT}`;
        const unbalanced = await tx.$queryRaw<{ transaction_id: bigint; asset: string; total: string }[]>`
          SELECT transaction_id, asset, sum(amount)::text AS total
          FROM ledger_entries GROUP BY transaction_id, asset HAVING sum(amount) <> 0
          ORDER BY transaction_id LIMIT ${MISMATCH_LIMIT}`;
        const mismatches: LedgerMismatch[] = [
          ...cached.map((row) => ({
            kind: 'cached_balance' as const,
            ledgerAccount: row.code,
            asset: row.asset,
            // Full precision: a mismatch may hide below the asset's smallest unit.
            cached: dec(row.cached).toFixed(),
            fromEntries: dec(row.from_entries).toFixed(),
          })),
          ...unbalanced.map((row) => ({
            kind: 'unbalanced_transaction' as const,
            transactionId: row.transaction_id.toString(),
            asset: row.asset,
            sum: dec(row.total).toFixed(),
          })),
        ];
        const assets = totals.map((row) => ({
          asset: row.asset,
          debits: show(row.asset, row.debits),
          credits: show(row.asset, row.credits),
        }));
        const balanced = mismatches.length === 0 && totals.every((row) => dec(row.debits).eq(dec(row.credits)));
        return { balanced, assets, mismatches };
      },
      { timeout: 600_000 },
    );
  }
}
