import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';
import { canonicalState, stateDifferences } from '../support/canonical.js';
import { buildSmallWorld } from '../support/small-world.js';
import { DayStartHooks, StretchVerdict } from '../../src/clock/day-start.hooks.js';

/*
 * Quiet stretches (src/clock/quiet-stretch.ts): an advance of N days in one call, whose days
 * before the last may run together in one transaction, must leave exactly the rows of N
 * advances of one day: every ledger transaction (type, instant, description, metadata, entries,
 * in order), every ledger account, every history row, every notice, the clock and the marks.
 * Each story is built twice, on two applications with databases of their own: one advances in
 * one call, the other a day at a time.
 */

/** A rate model that makes interest visible within days: base 20 %, kinked at 80 %. */
const BUSY_RATES = { baseRate: '0.2', optimalUtilization: '0.8', slope1: '0.3', slope2: '2', reserveFactor: '0.1' };

const NAMES = `WITH names AS (SELECT a.id::text AS id, u.name || '/' || a.label AS name FROM accounts a JOIN users u ON u.id = a.user_id)`;
/** Each table in its order of writing (ids), written without ids: customer accounts by their user's name. */
const TABLES: Record<string, string> = {
  transactions: `${NAMES}
    SELECT t.type, t.description, t.at, t.metadata, n.name AS account,
           (SELECT array_agg(coalesce(replace(la.code, la.account_id::text, en.name), la.code) || ' ' || e.asset || ' ' || e.amount::text ORDER BY e.id)
            FROM ledger_entries e JOIN ledger_accounts la ON la.id = e.ledger_account_id LEFT JOIN names en ON en.id = la.account_id::text
            WHERE e.transaction_id = t.id) AS entries
    FROM ledger_transactions t LEFT JOIN names n ON n.id = t.account_id::text ORDER BY t.id`,
  ledgerAccounts: `${NAMES}
    SELECT coalesce(replace(la.code, la.account_id::text, n.name), la.code) AS code, la.asset, la.balance::text, la.created_at
    FROM ledger_accounts la LEFT JOIN names n ON n.id = la.account_id::text ORDER BY la.id`,
  // Notices of one instant are stored in the order of their positions' ids (random uuids): by instant, then by content.
  notifications: `${NAMES} SELECT n.name, x.type, x.at, x.data FROM notifications x JOIN names n ON n.id = x.account_id::text
                  ORDER BY x.at, n.name, x.type, x.data::text`,
  marketDays: `SELECT asset, date::text, utilization::text, borrow_apr::text, supply_apr::text, supply_index::text, borrow_index::text,
                      supply_interest::text, borrow_interest::text, accrued_at FROM market_days ORDER BY asset, date`,
  laneDays: `SELECT asset, date::text, tier, supply_apr::text, borrow_apr::text, supply_index::text, borrow_index::text
             FROM market_lane_days ORDER BY asset, date, tier`,
  marks: `SELECT name, through FROM sweep_marks ORDER BY name`,
  clock: `SELECT now, day_started_through::text FROM clock_state`,
};

async function rows(app: TestApp): Promise<Record<string, unknown[]>> {
  return withClient(app.databaseUrl, async (client: pg.Client) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const all: Record<string, unknown[]> = {};
    // Ids drawn at random (loans', in metadata) differ from world to world: written as "<uuid>".
    const withoutIds = (value: unknown) => JSON.stringify(value).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
    for (const [name, sql] of Object.entries(TABLES)) all[name] = JSON.parse(withoutIds((await client.query(sql)).rows)) as unknown[];
    await client.query('COMMIT');
    return all;
  });
}

/** The first rows where the two worlds differ, table by table (empty when they are the same). */
function firstDifferences(expected: Record<string, unknown[]>, actual: Record<string, unknown[]>): string[] {
  const found: string[] = [];
  for (const table of Object.keys(TABLES)) {
    const [a, b] = [expected[table], actual[table]];
    if (a.length !== b.length) found.push(`${table}: ${a.length} rows one day at a time, ${b.length} in one advance`);
    for (let i = 0; i < Math.min(a.length, b.length) && found.length < 10; i += 1) {
      if (JSON.stringify(a[i]) !== JSON.stringify(b[i])) found.push(`${table}[${i}]:\n  day by day ${JSON.stringify(a[i])}\n  one advance ${JSON.stringify(b[i])}`);
    }
  }
  return found;
}

/** Builds the story on both worlds, advances one by `days` in one call and the other a day at a time, and compares them. */
async function sameAsDayByDay(twins: { oneCall: TestApp; daily: TestApp }, build: (app: TestApp) => Promise<void>, days: number) {
  await build(twins.oneCall);
  await build(twins.daily);
  // What the one-call world's stretches answered, stretch by stretch (days, verdict).
  const hooks = twins.oneCall.get(DayStartHooks);
  const stretches: { days: number; verdict: StretchVerdict }[] = [];
  const runQuietStretch = hooks.runQuietStretch.bind(hooks);
  hooks.runQuietStretch = async (tx, stretch) => {
    const verdict = await runQuietStretch(tx, stretch);
    stretches.push({ days: stretch.days.length, verdict });
    return verdict;
  };
  const answer = (await world(twins.oneCall).advance({ days })).body;
  for (let day = 0; day < days; day += 1) await world(twins.daily).advance({ days: 1 });
  expect(answer.daysAccrued).toBe(days);
  const [expected, actual] = [await rows(twins.daily), await rows(twins.oneCall)];
  expect(firstDifferences(expected, actual)).toEqual([]);
  expect(stateDifferences(await canonicalState(twins.daily.databaseUrl), await canonicalState(twins.oneCall.databaseUrl))).toEqual([]);
  return { rows: actual, stretches };
}

/**
 * A lender and a borrower at real, non-zero rates: 100,000 USDC supplied, `borrowed` USDC
 * borrowed on 1 BTC (at 50,000), the USDC market on `usdcRates` and, when given, BTC's risk levels.
 */
function lenderAndBorrower(story: { usdcRates: object; btcRisk?: object; borrowed: string; thenHours?: number }) {
  return async (app: TestApp): Promise<void> => {
    const w = world(app);
    await w.price('BTC', '50000');
    await w.price('USDC', '1');
    await app.admin.put('/v1/markets/USDC').send({ rateModel: story.usdcRates }).expect(200);
    if (story.btcRisk) await app.admin.put('/v1/markets/BTC').send({ risk: story.btcRisk }).expect(200);
    await w.advance({ days: 1 });
    const lender = await w.user('lender');
    const borrower = await w.user('borrower');
    await w.deposit(lender.apiKey, lender.accountId, 'USDC', '100000');
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '1');
    await w.borrow(borrower.apiKey, borrower.accountId, 'USDC', story.borrowed);
    if (story.thenHours) await w.advance({ hours: story.thenHours });
  };
}

/** 20,000 borrowed at 20 % and more a year, the advance starting at 07:00. */
const quietLoan = lenderAndBorrower({ usdcRates: BUSY_RATES, borrowed: '20000', thenHours: 7 });

/**
 * A borrower at 50 % of a BTC collateral whose margin call is at 53 %, owing USDC at over
 * 100 % a year: the debt reaches the margin call about three weeks later, in the middle of
 * the advance, and the account stays at its margin call after it.
 */
const marginCallInTheMiddle = lenderAndBorrower({
  usdcRates: { ...BUSY_RATES, baseRate: '1' },
  btcRisk: { maxLtv: '0.5', marginCallLtv: '0.53', liquidationLtv: '0.8' },
  borrowed: '25000',
});

describe('an advance of many days leaves the rows of as many advances of one day', () => {
  const twins = {} as { oneCall: TestApp; daily: TestApp };
  beforeEach(async () => {
    twins.oneCall = await startTestApp();
    twins.daily = await startTestApp();
  });
  afterEach(async () => {
    await twins.oneCall?.close();
    await twins.daily?.close();
  });

  it('over 45 quiet days at real rates (interest every day, maturities in the middle)', async () => {
    const { rows, stretches } = await sameAsDayByDay(twins, quietLoan, 45);
    expect(stretches).toEqual([{ days: 44, verdict: 'done' }]);
    expect(rows.transactions.filter((t) => (t as { type: string }).type === 'interest').length).toBeGreaterThanOrEqual(45);
    expect(rows.notifications.some((n) => (n as { type: string }).type === 'maturity')).toBe(true);
  }, 240_000);

  it('with a margin call in the middle of the advance (the stretch falls back around it)', async () => {
    const { rows, stretches } = await sameAsDayByDay(twins, marginCallInTheMiddle, 40);
    // Refused as too long, then shorter ones until the margin call, then busy (the account stays at its call).
    expect(stretches.some((s) => s.verdict === 'shorter')).toBe(true);
    expect(stretches.some((s) => s.verdict === 'done')).toBe(true);
    expect(stretches.at(-1)!.verdict).toBe('busy');
    const calls = rows.notifications.filter((n) => (n as { type: string }).type === 'margin_call') as { at: string }[];
    expect(calls.length).toBe(1);
    // In the middle: neither on the first day nor on the last.
    expect(calls[0].at > '2026-01-04' && calls[0].at < '2026-02-08').toBe(true);
  }, 240_000);

  it('with a loyalty token holder (tiers may change: every day runs in full)', async () => {
    const { stretches } = await sameAsDayByDay(twins, buildSmallWorld, 12);
    expect(stretches).toEqual([{ days: 11, verdict: 'busy' }]);
  }, 240_000);
});
