import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from '../support/test-app.js';
import { withClient } from '../support/database.js';

/**
 * The markets' day history (market_days, market_lane_days) names an existing market on every
 * row, checked once per statement (20261210100000_market_history_keys_per_statement) instead of
 * by a foreign key per row; and no market is ever deleted, truncated or renamed, so a row
 * checked when written stays valid.
 */
describe('the market named by each history row', () => {
  let app: TestApp;
  beforeAll(async () => {
    // The application's first start creates the markets (MarketsService.onModuleInit).
    app = await startTestApp({ RUN_WORKERS: 'false' });
  });
  afterAll(async () => {
    await app?.close();
  });

  /**
   * Runs the statement in a transaction that is rolled back: 'ok' and the rows it wrote, or its
   * SQLSTATE ('refused by the rule' when it is 23503 with a message `rule` matches).
   */
  async function outcome(sql: string, params: unknown[] = [], rule?: RegExp): Promise<string> {
    return withClient(app.databaseUrl, async (client) => {
      await client.query('BEGIN');
      try {
        const result = await client.query(sql, params);
        return `ok ${result.rowCount}`;
      } catch (error) {
        const refused = error as pg.DatabaseError;
        return refused.code === '23503' && rule?.test(refused.message) ? 'refused by the rule' : refused.code!;
      } finally {
        await client.query('ROLLBACK');
      }
    });
  }

  const dayRow = (asset: string) => `('${asset}', DATE '2031-01-01', 0.5, 0.05, 0.02, 1.0001, 1.0002, 0, 0, now())`;
  const laneRow = (asset: string, tier: string) => `('${asset}', DATE '2031-01-01', '${tier}', 0.02, 0.05, 1.0001, 1.0002)`;
  const insertDays = (...rows: string[]) =>
    `INSERT INTO market_days (asset, date, utilization, borrow_apr, supply_apr, supply_index, borrow_index, supply_interest, borrow_interest, accrued_at) VALUES ${rows.join(', ')}`;
  const insertLanes = (...rows: string[]) =>
    `INSERT INTO market_lane_days (asset, date, tier, supply_apr, borrow_apr, supply_index, borrow_index) VALUES ${rows.join(', ')}`;

  it('take rows that name markets, and refuse a whole statement when one row names none', async () => {
    expect({
      days: await outcome(insertDays(dayRow('BTC'), dayRow('USDC'))),
      lanes: await outcome(insertLanes(laneRow('BTC', 'base'), laneRow('BTC', 'gold'))),
      unknownDay: await outcome(insertDays(dayRow('BTC'), dayRow('NOPE'))),
      unknownLane: await outcome(insertLanes(laneRow('USDC', 'base'), laneRow('NOPE', 'base'))),
    }).toEqual({ days: 'ok 2', lanes: 'ok 2', unknownDay: '23503', unknownLane: '23503' });
  });

  it('refuse an update that points a history row at no market', async () => {
    const withRow = async (insert: string, update: string) =>
      withClient(app.databaseUrl, async (client) => {
        await client.query('BEGIN');
        try {
          await client.query(insert);
          await client.query(update);
          return 'ok';
        } catch (error) {
          return (error as pg.DatabaseError).code;
        } finally {
          await client.query('ROLLBACK');
        }
      });
    expect({
      day: await withRow(insertDays(dayRow('BTC')), `UPDATE market_days SET asset = 'NOPE' WHERE date = '2031-01-01'`),
      lane: await withRow(insertLanes(laneRow('BTC', 'base')), `UPDATE market_lane_days SET asset = 'NOPE' WHERE date = '2031-01-01'`),
      sameMarket: await withRow(insertDays(dayRow('BTC')), `UPDATE market_days SET utilization = 0.25 WHERE date = '2031-01-01'`),
    }).toEqual({ day: '23503', lane: '23503', sameMarket: 'ok' });
  });

  it('keep every market: no delete, truncate or update of its code, while other updates of markets go through', async () => {
    // The trigger's own sentence: a foreign key from elsewhere (market_lanes) would refuse a
    // delete of BTC with the same SQLSTATE, so the code alone would not show the rule is there.
    const refusal = (sql: string) => outcome(sql, [], /^markets are never removed or renamed: \w+ on markets refused$/);
    expect({
      delete: await refusal(`DELETE FROM markets WHERE asset = 'BTC'`),
      truncate: await refusal(`TRUNCATE markets CASCADE`),
      rename: await refusal(`UPDATE markets SET asset = 'XBT' WHERE asset = 'BTC'`),
      sameCode: await refusal(`UPDATE markets SET asset = 'BTC' WHERE asset = 'BTC'`),
      otherColumns: await refusal(`UPDATE markets SET supply_apr = supply_apr WHERE asset = 'BTC'`),
    }).toEqual({ delete: 'refused by the rule', truncate: 'refused by the rule', rename: 'refused by the rule', sameCode: 'refused by the rule', otherColumns: 'ok 1' });
  });
});
