import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import type { Decimal } from '../common/money/decimal.js';
import type { Tier } from '../markets/tier-lanes.js';

/** A position's or loan's scaled amount after a change, and the change to record. */
export interface HoldingWrite {
  id: string;
  scaledAfter: Decimal;
  /** Left as it is when absent (a re-scaling moves no principal). */
  principalAfter?: Decimal;
  kind: string;
  tier: Tier;
}

const TABLES = {
  position: { rows: Prisma.raw('positions'), scaled: Prisma.raw('scaled'), changes: Prisma.raw('position_changes'), key: Prisma.raw('position_id') },
  loan: { rows: Prisma.raw('loans'), scaled: Prisma.raw('scaled_debt'), changes: Prisma.raw('loan_changes'), key: Prisma.raw('loan_id') },
};

/**
 * Many positions' (or loans') changes in two statements, for the paths that move thousands at
 * once (a batch of liquidations, a day's tier changes): each row takes its last write, and
 * every write is recorded in the change history, in order. SQL on purpose, arrays instead of a
 * statement per row; the table names are fixed here, never taken from input.
 */
export async function writeHoldings(tx: Tx, holding: keyof typeof TABLES, writes: HoldingWrite[], at: Date): Promise<void> {
  if (writes.length === 0) return;
  const table = TABLES[holding];
  const last = [...new Map(writes.map((w) => [w.id, w])).values()];
  await tx.$executeRaw`
    UPDATE ${table.rows} r SET ${table.scaled} = v.scaled, principal = coalesce(v.principal, r.principal), updated_at = ${at}
    FROM unnest(${last.map((w) => w.id)}::uuid[], ${last.map((w) => w.scaledAfter.toFixed())}::numeric[],
                ${last.map((w) => w.principalAfter?.toFixed() ?? null)}::numeric[]) AS v(id, scaled, principal)
    WHERE r.id = v.id`;
  await tx.$executeRaw`
    INSERT INTO ${table.changes} (${table.key}, at, kind, scaled_after, tier)
    SELECT id, ${at}, kind, scaled, tier FROM unnest(${writes.map((w) => w.id)}::uuid[], ${writes.map((w) => w.kind)}::text[],
      ${writes.map((w) => w.scaledAfter.toFixed())}::numeric[], ${writes.map((w) => w.tier)}::text[]) AS v(id, kind, scaled, tier)`;
}

/** One position's (or loan's) change in its history, as a single movement records it. */
export async function recordChange(
  tx: Tx,
  holding: keyof typeof TABLES,
  change: { id: string; scaledAfter: Decimal; kind: string; tier: Tier },
  at: Date,
): Promise<void> {
  const table = TABLES[holding];
  await tx.$executeRaw`
    INSERT INTO ${table.changes} (${table.key}, at, kind, scaled_after, tier)
    VALUES (${change.id}::uuid, ${at}, ${change.kind}, ${change.scaledAfter.toFixed()}::numeric, ${change.tier})`;
}
