import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { parseScenario } from '../../src/scenarios/scenario-format.js';
import { NoticeReading, ScenarioResult, ScenarioRunner } from '../../src/scenarios/scenario-runner.js';
import { scenarioApiOf } from '../support/scenario-api.js';

/**
 * A story with every kind of notice, some at 00:00 and some mid-day: real non-zero rates (a
 * borrowed market), a loyalty tier change there and back, maturities (one at 00:00, one at
 * 05:00), hourly price moves, a margin call and a liquidation.
 */
const STORY = [
  'name: Every kind of notice',
  'days: 16',
  'prices: { BTC: "50000", USDC: "1", LAB: "1" }',
  'users: { lender: {}, gold: {}, plain: {} }',
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
  '  - day: 1',
  '    hour: 5',
  '    deposit: { user: lender, asset: USDC, amount: "1000" }',
  '  - day: 8',
  '    price: { asset: LAB, to: "0.5" }',
  '  - day: 10',
  '    hour: 6',
  '    price: { asset: BTC, linear: { to: "28000", days: 4 } }',
  'expect:',
  '  - { user: gold, notices: tier_change, count: 3 }',
  '  - { user: lender, notices: maturity, count: 1 }',
  '  - { user: plain, notices: liquidation, count: 1 }',
  '',
].join('\n');

describe('the daily records of a scenario', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function play(notices: NoticeReading): Promise<ScenarioResult> {
    const scenario = parseScenario(STORY, 'every-notice.yaml');
    const app = await startTestApp({ CLOCK_START: scenario.start });
    apps.push(app);
    return new ScenarioRunner(scenario, scenarioApiOf(app), undefined, notices).run();
  }

  it('list the same notices on the same days when the notices are read once at the end as when read every day', async () => {
    const daily = await play('daily');
    const once = await play('once');
    const types = new Set(daily.daily.flatMap((record) => record.events.map((e) => e.type)));
    // The story did what it is for: every kind of notice, and interest moving every day.
    expect([...types].sort()).toEqual(['liquidation', 'margin_call', 'maturity', 'tier_change']);
    expect(daily.daily.at(-1)!.markets.USDC.borrowApr).not.toBe('0');
    expect([...daily.steps.filter((s) => s.outcome !== 'ok'), ...daily.expectations.filter((e) => !e.passed)]).toEqual([]);
    expect(once.daily).toHaveLength(17);
    // Every record, field by field: the dates, the figures and each day's events.
    expect(once.daily).toEqual(daily.daily);
    expect(JSON.stringify(once)).toBe(JSON.stringify(daily));
  }, 600_000);
});
