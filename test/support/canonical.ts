import pg from 'pg';
import { withClient } from './database.js';

/**
 * What a world's money and markets are, written without ids or creation times, so that two
 * databases that lived the same story compare equal: the same world built twice (twin worlds),
 * one of them through a crash. Customer accounts are named by their user's name and label
 * (unique in the worlds the tests build); ledger accounts by code (with that name in place of
 * the account id) and asset, with their balance and the multiset of their entries as
 * (transaction type, amount).
 */
export interface CanonicalState {
  clock: Row[];
  ledger: Row[];
  markets: Row[];
  lanes: Row[];
  marketDays: Row[];
  laneDays: Row[];
  positions: Row[];
  loans: Row[];
  notifications: Row[];
  risk: Row[];
}

type Row = Record<string, unknown>;

const NAMES = `WITH names AS (SELECT a.id, u.name || '/' || a.label AS name, a.tier FROM accounts a JOIN users u ON u.id = a.user_id)`;

const QUERIES: Record<keyof CanonicalState, string> = {
  clock: `SELECT now, day_started_through::text FROM clock_state`,
  ledger: `${NAMES}
    SELECT coalesce(replace(la.code, la.account_id::text, n.name), la.code) AS code, la.asset, la.balance::text AS balance,
           coalesce((SELECT array_agg(t.type || ' ' || e.amount::text ORDER BY t.type, e.amount)
                     FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
                     WHERE e.ledger_account_id = la.id), '{}') AS entries
    FROM ledger_accounts la LEFT JOIN names n ON n.id = la.account_id`,
  markets: `SELECT asset, index_day::text, day_utilization::text, supply_apr::text, borrow_apr::text FROM markets`,
  lanes: `SELECT asset, tier, supply_index::text, borrow_index::text, total_supply_scaled::text, total_borrow_scaled::text,
                 supply_principal::text, borrow_principal::text FROM market_lanes`,
  marketDays: `SELECT asset, date::text, utilization::text, borrow_apr::text, supply_apr::text, supply_index::text, borrow_index::text,
                      supply_interest::text, borrow_interest::text FROM market_days`,
  laneDays: `SELECT asset, date::text, tier, supply_apr::text, borrow_apr::text, supply_index::text, borrow_index::text FROM market_lane_days`,
  positions: `${NAMES} SELECT n.name, n.tier, p.asset, p.scaled::text, p.principal::text, p.matures_at FROM positions p JOIN names n ON n.id = p.account_id`,
  loans: `${NAMES} SELECT n.name, l.asset, l.scaled_debt::text, l.principal::text, l.borrowed::text FROM loans l JOIN names n ON n.id = l.account_id`,
  notifications: `${NAMES} SELECT n.name, x.type, x.at FROM notifications x JOIN names n ON n.id = x.account_id`,
  risk: `${NAMES} SELECT n.name, r.status, r.crossings FROM account_risk r JOIN names n ON n.id = r.account_id`,
};

const key = (row: Row) => JSON.stringify(row);

export async function canonicalState(databaseUrl: string): Promise<CanonicalState> {
  return withClient(databaseUrl, async (client: pg.Client) => {
    // One snapshot for every table.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const state = {} as CanonicalState;
    for (const [name, sql] of Object.entries(QUERIES) as [keyof CanonicalState, string][]) {
      const rows = (await client.query(sql)).rows.map((row: Row) =>
        Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])),
      );
      state[name] = rows.map(key).sort().map((k: string) => JSON.parse(k) as Row);
    }
    await client.query('COMMIT');
    return state;
  });
}

/**
 * The rows one state has and the other has not (as a multiset), table by table; empty when the
 * two are equal. Short enough to read in a failing test's message, even for thousands of rows.
 */
export function stateDifferences(expected: CanonicalState, actual: CanonicalState, limit = 20): string[] {
  const differences: string[] = [];
  for (const table of Object.keys(QUERIES) as (keyof CanonicalState)[]) {
    const counts = new Map<string, number>();
    for (const row of expected[table]) counts.set(key(row), (counts.get(key(row)) ?? 0) + 1);
    for (const row of actual[table]) counts.set(key(row), (counts.get(key(row)) ?? 0) - 1);
    for (const [row, count] of counts) {
      const shown = row.length > 300 ? `${row.slice(0, 300)}…` : row;
      if (count > 0) differences.push(`${table}: missing ${count}× ${shown}`);
      if (count < 0) differences.push(`${table}: extra ${-count}× ${shown}`);
    }
  }
  return differences.slice(0, limit).concat(differences.length > limit ? [`... and ${differences.length - limit} more`] : []);
}
