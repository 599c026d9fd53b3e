import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { parseScenario } from '../../src/scenarios/scenario-format.js';
import { ClockAdvancing, NoticeReading, ScenarioApi, ScenarioResult, ScenarioRunner } from '../../src/scenarios/scenario-runner.js';
import { scenarioApiOf } from '../support/scenario-api.js';

/**
 * A story with every kind of notice, some at 00:00 and some mid-day, and long quiet stretches:
 * real non-zero rates (borrowed markets), a loyalty tier change there and back, maturities (at
 * 00:00 and at 05:00), hourly price moves, a margin call and a liquidation from a price fall,
 * and a margin call and a liquidation from interest alone (a USDT loan at 730 % a year against
 * ETH) in the middle of quiet stretches, where the stretch runner rebuilds the days from the
 * history reads.
 */
const STORY = [
  'name: Every kind of notice',
  'days: 26',
  'prices: { BTC: "50000", ETH: "3200", USDC: "1", USDT: "1", LAB: "1" }',
  'markets:',
  '  ETH: { risk: { marginCallLtv: "0.6", liquidationLtv: "0.7" } }',
  '  USDT: { rateModel: { baseRate: "7.3", slope1: "0", slope2: "0" } }',
  'users: { lender: {}, gold: {}, plain: {}, saver: {}, spender: {} }',
  'steps:',
  '  - day: 0',
  '    deposit: { user: lender, asset: USDC, amount: "100000" }',
  '  - day: 0',
  '    deposit: { user: gold, asset: BTC, amount: "1" }',
  '  - day: 0',
  '    deposit: { user: gold, asset: LAB, amount: "3200" }',
  '  - day: 0',
  '    deposit: { user: plain, asset: BTC, amount: "1" }',
  '  - day: 0',
  '    borrow: { user: gold, asset: USDC, amount: "20000" }',
  '  - day: 0',
  '    borrow: { user: plain, asset: USDC, amount: "25000" }',
  '  - day: 0',
  '    deposit: { user: saver, asset: USDT, amount: "5000" }',
  '  - day: 0',
  '    deposit: { user: spender, asset: ETH, amount: "1" }',
  '  - day: 0',
  '    borrow: { user: spender, asset: USDT, amount: "1590" }',
  '  - day: 4',
  '    hour: 5',
  '    deposit: { user: lender, asset: USDC, amount: "1000" }',
  '  - day: 14',
  '    hour: 7',
  '    price: { asset: LAB, to: "0.5" }',
  '  - day: 22',
  '    hour: 6',
  '    price: { asset: BTC, linear: { to: "28000", days: 2 } }',
  'expect:',
  '  - { user: gold, notices: tier_change, count: 3 }',
  '  - { user: lender, notices: maturity, count: 1 }',
  '  - { user: saver, notices: maturity, count: 1 }',
  '  - { user: plain, notices: liquidation, count: 1 }',
  '  - { user: spender, notices: margin_call, count: 1 }',
  '  - { user: spender, notices: liquidation, count: 1 }',
  '',
].join('\n');

/** The days the stretch runner rebuilds from the history reads: quiet, and not the last of their stretch. */
const REBUILT = [1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 15, 16, 17, 18, 19, 20, 25];

describe('the daily records of a scenario', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function play(notices: NoticeReading, advancing: ClockAdvancing): Promise<{ result: ScenarioResult; calls: string[] }> {
    const scenario = parseScenario(STORY, 'every-notice.yaml');
    const app = await startTestApp({ CLOCK_START: scenario.start });
    apps.push(app);
    const api = scenarioApiOf(app);
    const calls: string[] = [];
    const counted: ScenarioApi = { ...api, call: (method, path, key, body) => (calls.push(`${method} ${path} ${JSON.stringify(body ?? '')}`), api.call(method, path, key, body)) };
    return { result: await new ScenarioRunner(scenario, counted, undefined, notices, advancing).run(), calls };
  }

  it('are the same when quiet stretches are advanced in one call and rebuilt from the history reads as when every day is read live, notices read once or daily', async () => {
    const daily = await play('daily', 'daily');
    const once = await play('once', 'daily');
    const stretches = await play('once', 'stretches');
    const records = daily.result.daily;
    const types = new Set(records.flatMap((record) => record.events.map((e) => e.type)));
    // The story did what it is for: every kind of notice, and interest moving every day.
    expect([...types].sort()).toEqual(['liquidation', 'margin_call', 'maturity', 'tier_change']);
    expect(records.at(-1)!.markets.USDC.borrowApr).not.toBe('0');
    expect(records.at(-1)!.markets.USDT.borrowApr).toBe('7.3');
    expect([...daily.result.steps.filter((s) => s.outcome !== 'ok'), ...daily.result.expectations.filter((e) => !e.passed)]).toEqual([]);
    // What happened inside the quiet stretches: the tier changes, the maturities at 00:00, and
    // the spender's margin call and liquidation from interest alone (its holdings change mid-stretch).
    const on = (type: string, account?: string) => records.filter((r) => r.events.some((e) => e.type === type && (!account || e.account === account))).map((r) => r.day);
    expect({ tiers: on('tier_change'), marginCall: on('margin_call', 'spender/main'), liquidation: on('liquidation', 'spender/main'), maturities: on('maturity') }).toEqual({
      tiers: [1, 15, 25],
      marginCall: [11],
      liquidation: [19],
      maturities: [7, 12],
    });
    expect([...on('tier_change'), ...on('margin_call', 'spender/main'), ...on('liquidation', 'spender/main'), ...on('maturity')].filter((day) => !REBUILT.includes(day))).toEqual([]);
    expect(records[19].accounts['spender/main'].positions.ETH).not.toBe(records[18].accounts['spender/main'].positions.ETH);
    expect(records[19].accounts['spender/main'].status).toBe('margin_call');
    expect(once.result.daily).toHaveLength(27);
    // Every record, field by field: the dates, the figures and each day's events.
    expect(once.result.daily).toEqual(records);
    expect(stretches.result.daily).toEqual(records);
    expect(JSON.stringify(once.result)).toBe(JSON.stringify(daily.result));
    expect(JSON.stringify(stretches.result)).toBe(JSON.stringify(daily.result));
    // The stretches: one advance each (days, or hours from a step's hour), their days from the history reads.
    const advances = stretches.calls.filter((c) => c.startsWith('POST /v1/clock/advance'));
    expect(advances).toContain('POST /v1/clock/advance {"days":3}');
    expect(advances).toContain('POST /v1/clock/advance {"hours":211}');
    const historyDays = stretches.calls.filter((c) => /^GET \/v1\/accounts\/[^/]+\/history/.test(c)).length / 5;
    expect(historyDays).toBe(4);
    // The live reads of every market, once a day read live: the rebuilt days had none.
    const liveReads = (calls: string[]) => calls.filter((c) => c === 'GET /v1/markets ""').length;
    expect([liveReads(once.calls), liveReads(stretches.calls)]).toEqual([27, 27 - REBUILT.length]);
    expect(stretches.calls.length).toBeLessThan(once.calls.length);
  }, 900_000);
});
