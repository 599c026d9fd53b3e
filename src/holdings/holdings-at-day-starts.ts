import type { Tx } from '../prisma/prisma.service.js';
import { dec } from '../common/money/decimal.js';
import { Tier, isTier } from '../markets/tier-lanes.js';
import type { LoanState, PositionState } from './account-snapshot.service.js';

/** A holding as it stood at a day's 00:00: its scaled amount then and the lane it was in. */
export type PositionAt = Omit<PositionState, 'amount'> & { tier: Tier };
export type LoanAt = Omit<LoanState, 'outstanding'> & { tier: Tier };

/**
 * An account's open positions and loans at 00:00 UTC of each day from `from` to `to`, from
 * their change history (position_changes and loan_changes record every scaled amount and lane
 * a holding had, with when): for each day and holding, its last change at or before that
 * instant. Principal and maturity are today's (the history does not keep them; the records
 * built from this do not show them). SQL on purpose: two statements for any number of days,
 * each change found by the (holding, at) index.
 */
export async function holdingsAtDayStarts(
  tx: Tx,
  accountId: string,
  from: string,
  to: string,
): Promise<{ positions: Map<string, PositionAt[]>; loans: Map<string, LoanAt[]> }> {
  const [positionRows, loanRows] = await Promise.all([
    tx.$queryRaw<{ date: string; id: string; asset: string; scaled: string; tier: string; principal: string; matures_at: Date }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS date, p.id::text AS id, p.asset, c.scaled_after::text AS scaled, c.tier,
             p.principal::text AS principal, p.matures_at
      FROM generate_series(${from}::timestamp, ${to}::timestamp, interval '1 day') AS d(day)
      JOIN positions p ON p.account_id = ${accountId}::uuid
      CROSS JOIN LATERAL (
        SELECT scaled_after, tier FROM position_changes c
        WHERE c.position_id = p.id AND c.at <= d.day AT TIME ZONE 'UTC' ORDER BY c.at DESC, c.id DESC LIMIT 1
      ) c
      WHERE c.scaled_after > 0
      ORDER BY d.day, p.asset, p.id`,
    tx.$queryRaw<{ date: string; id: string; asset: string; scaled: string; tier: string; principal: string }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS date, l.id::text AS id, l.asset, c.scaled_after::text AS scaled, c.tier, l.principal::text AS principal
      FROM generate_series(${from}::timestamp, ${to}::timestamp, interval '1 day') AS d(day)
      JOIN loans l ON l.account_id = ${accountId}::uuid
      CROSS JOIN LATERAL (
        SELECT scaled_after, tier FROM loan_changes c
        WHERE c.loan_id = l.id AND c.at <= d.day AT TIME ZONE 'UTC' ORDER BY c.at DESC, c.id DESC LIMIT 1
      ) c
      WHERE c.scaled_after > 0
      ORDER BY d.day, l.seq`,
  ]);
  const positions = new Map<string, PositionAt[]>();
  for (const row of positionRows) {
    const day = positions.get(row.date) ?? [];
    positions.set(row.date, day);
    day.push({ id: row.id, asset: row.asset, scaled: dec(row.scaled), principal: dec(row.principal), maturesAt: row.matures_at, tier: isTier(row.tier) ? row.tier : 'base' });
  }
  const loans = new Map<string, LoanAt[]>();
  for (const row of loanRows) {
    const day = loans.get(row.date) ?? [];
    loans.set(row.date, day);
    day.push({ id: row.id, asset: row.asset, scaledDebt: dec(row.scaled), principal: dec(row.principal), tier: isTier(row.tier) ? row.tier : 'base' });
  }
  return { positions, loans };
}
