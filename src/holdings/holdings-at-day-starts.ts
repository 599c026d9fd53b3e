import { Prisma } from '../generated/prisma/client.js';
import type { Tx } from '../prisma/prisma.service.js';
import { dec } from '../common/money/decimal.js';
import type { LoanState, PositionState } from './account-snapshot.service.js';

/** A holding as it stood at a day's 00:00: its scaled amount then (valued in the account's lane of then, as the account view does). */
type PositionAt = Omit<PositionState, 'amount'>;
type LoanAt = Omit<LoanState, 'outstanding'>;

/** The table names are fixed here, never taken from input; each kind in the order the account view lists it. */
const TABLES = {
  position: { rows: Prisma.raw('positions'), changes: Prisma.raw('position_changes'), key: Prisma.raw('position_id'), maturesAt: Prisma.raw('r.matures_at'), order: Prisma.raw('r.asset, r.id') },
  loan: { rows: Prisma.raw('loans'), changes: Prisma.raw('loan_changes'), key: Prisma.raw('loan_id'), maturesAt: Prisma.raw('NULL::timestamptz'), order: Prisma.raw('r.seq') },
};

interface Row {
  date: string;
  id: string;
  asset: string;
  scaled: string;
  principal: string;
  matures_at: Date | null;
}

/**
 * For each day from `from` to `to` and each of the account's positions (or loans), its last
 * change at or before that day's 00:00 UTC, when it left the holding open. SQL on purpose: one
 * statement for any number of days, each change found by the (holding, at) index.
 */
function atDayStarts(tx: Tx, holding: keyof typeof TABLES, accountId: string, from: string, to: string): Promise<Row[]> {
  const table = TABLES[holding];
  return tx.$queryRaw<Row[]>`
    SELECT to_char(d.day, 'YYYY-MM-DD') AS date, r.id::text AS id, r.asset, c.scaled_after::text AS scaled,
           r.principal::text AS principal, ${table.maturesAt} AS matures_at
    FROM generate_series(${from}::timestamp, ${to}::timestamp, interval '1 day') AS d(day)
    JOIN ${table.rows} r ON r.account_id = ${accountId}::uuid
    CROSS JOIN LATERAL (
      SELECT scaled_after FROM ${table.changes} c
      WHERE c.${table.key} = r.id AND c.at <= d.day AT TIME ZONE 'UTC' ORDER BY c.at DESC, c.id DESC LIMIT 1
    ) c
    WHERE c.scaled_after > 0
    ORDER BY d.day, ${table.order}`;
}

/**
 * An account's open positions and loans at 00:00 UTC of each day from `from` to `to`, from
 * their change history (position_changes and loan_changes record every scaled amount
 * a holding had, with when): day → holdings. Principal and maturity are today's (the history
 * does not keep them; the records built from this do not show them).
 */
export async function holdingsAtDayStarts(
  tx: Tx,
  accountId: string,
  from: string,
  to: string,
): Promise<{ positions: Map<string, PositionAt[]>; loans: Map<string, LoanAt[]> }> {
  // In turn, not side by side: on the caller's one connection (see AccountHistoryService).
  const positionRows = await atDayStarts(tx, 'position', accountId, from, to);
  const loanRows = await atDayStarts(tx, 'loan', accountId, from, to);
  return {
    positions: byDay(positionRows, (row) => ({ id: row.id, asset: row.asset, scaled: dec(row.scaled), principal: dec(row.principal), maturesAt: row.matures_at! })),
    loans: byDay(loanRows, (row) => ({ id: row.id, asset: row.asset, scaledDebt: dec(row.scaled), principal: dec(row.principal) })),
  };
}

function byDay<T>(rows: Row[], holding: (row: Row) => T): Map<string, T[]> {
  const days = new Map<string, T[]>();
  for (const row of rows) {
    const day = days.get(row.date) ?? [];
    days.set(row.date, day);
    day.push(holding(row));
  }
  return days;
}
