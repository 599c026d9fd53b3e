import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startTestApp, TestApp, createUser } from '../support/test-app.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { parseScenario, Scenario } from '../../src/scenarios/scenario-format.js';
import { ScenarioResult } from '../../src/scenarios/scenario-runner.js';
import { scenarioApiOf } from '../support/scenario-api.js';
import { playOnApi } from '../../src/scenarios/scenario-app.js';
import { playComparison } from '../../src/scenarios/scenario-comparison.js';

const DIR = path.join(process.cwd(), 'scenarios');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();
/** A year simulated day by day takes about a minute on two busy cores. */
const SCENARIO_TIMEOUT_MS = 900_000; // a year of days is about 40 s on a quiet machine, minutes on a loaded one

/** A scenario on a fresh application of its own (the clock at the scenario's start), over HTTP. */
async function play(scenario: Scenario): Promise<{ app: TestApp; result: ScenarioResult }> {
  const app = await startTestApp({ CLOCK_START: scenario.start });
  return { app, result: await playOnApi(scenario, scenarioApiOf(app)) };
}

/** A file naming several presets: each preset on a fresh application, then compared. */
async function playEach(scenario: Scenario, apps: TestApp[]): Promise<{ passed: boolean; results: ScenarioResult[] }> {
  if (scenario.presets.length <= 1) {
    const { app, result } = await play(scenario);
    apps.push(app);
    return { passed: result.passed, results: [result] };
  }
  const comparison = await playComparison(scenario, async (one) => {
    const { app, result } = await play(one);
    apps.push(app);
    return result;
  });
  return { passed: comparison.passed, results: comparison.runs.map((r) => r.result) };
}

describe('the teaching scenarios', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('ships some', () => {
    expect(FILES.length).toBeGreaterThan(0);
  });

  for (const file of FILES) {
    it(`${file} goes as its expectations say`, async () => {
      const scenario = parseScenario(readFileSync(path.join(DIR, file), 'utf8'), file);
      const { passed, results } = await playEach(scenario, apps);
      for (const result of results) {
        const off = [...result.steps.filter((s) => s.outcome !== 'ok' && s.outcome !== 'failed as expected'), ...result.expectations.filter((e) => !e.passed)];
        expect(off).toEqual([]);
        expect(result.passed).toBe(true);
        expect(result.expectations.length).toBeGreaterThan(0);
      }
      expect(passed).toBe(true);
    }, SCENARIO_TIMEOUT_MS);
  }

  it('starts stablecoins at 1 and the other assets at the sandbox prices when the file names no price', async () => {
    const scenario = parseScenario(
      [
        'name: No prices named',
        'days: 1',
        'users: { lender: {}, alice: {} }',
        'steps:',
        '  - day: 0',
        '    deposit: { user: lender, asset: USDC, amount: "100000" }',
        '  - day: 0',
        '    deposit: { user: alice, asset: BTC, amount: "1" }',
        '  - day: 0',
        '    borrow: { user: alice, asset: USDC, amount: "30000" }',
        'expect:',
        '  - { user: alice, ltv: "0.4615", tolerance: "0.0001" }',
        '',
      ].join('\n'),
      'no-prices.yaml',
    );
    expect(scenario.prices).toEqual({});
    const { app, result } = await play(scenario);
    apps.push(app);
    expect(result.steps.map((s) => s.outcome)).toEqual(['ok', 'ok', 'ok']);
    expect(result.passed).toBe(true);
    // The report shows the assets the story is about, at their default prices.
    expect(result.daily[0].prices).toEqual({ BTC: '65000', USDC: '1' });
  }, SCENARIO_TIMEOUT_MS);

  it('gives byte-identical results when run twice, random walks and liquidations included', async () => {
    // The falling market, with ETH on a seeded random walk beside it (held by the lender).
    const text = readFileSync(path.join(DIR, 'falling-market.yaml'), 'utf8')
      .replace('  USDC: "1"\n', '  USDC: "1"\n  ETH: "3000"\n')
      .replace('steps:\n', 'steps:\n  - day: 0\n    deposit: { user: lender, asset: ETH, amount: "2" }\n  - day: 1\n    price: { asset: ETH, gbm: { days: 12, drift: "-0.5", volatility: "0.9", seed: 7 } }\n')
      .replace(/\nexpect:\n[\s\S]*$/, '\n');
    const scenario = parseScenario(text, 'falling-market-with-eth.yaml');
    expect(scenario.steps.filter((s) => s.action.kind === 'price')).toHaveLength(2);
    const first = await play(scenario);
    const second = await play(scenario);
    apps.push(first.app, second.app);
    expect(first.result.daily.at(-1)!.prices.ETH).not.toBe('3000');
    expect(first.result.daily.some((d) => d.events.some((e) => e.type === 'liquidation'))).toBe(true);
    expect(JSON.stringify(second.result, null, 2)).toBe(JSON.stringify(first.result, null, 2));
  }, SCENARIO_TIMEOUT_MS);
});

describe('POST /v1/scenarios (admin): a scenario run by the running application, into data of its own', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('plays the story on a database of its own and leaves the application’s world untouched', async () => {
    const yaml = readFileSync(path.join(DIR, 'gap-crash.yaml'), 'utf8');
    const usersBefore = await app.get(PrismaService).user.count();
    const response = await app.admin.post('/v1/scenarios').send({ yaml }).expect(200);
    expect(response.body).toMatchObject({ passed: true, files: { html: expect.stringMatching(/report\.html$/) } });
    // Named after the shipped file, as `npm run scenario` names it, not after a cut-off title.
    expect(response.body.files.html).toBe(path.join('scenario-results', 'gap-crash', 'report.html'));
    expect(response.body.result.daily).toHaveLength(4);
    expect(response.body.summary).toContain('PASSED');
    expect(await app.get(PrismaService).user.count()).toBe(usersBefore);
    expect((await app.admin.get('/v1/clock').expect(200)).body.now).toBe('2026-01-01T00:00:00.000Z');
  }, SCENARIO_TIMEOUT_MS);

  it('answers a broken file with every problem and its line, and a user key with 403', async () => {
    const response = await app.admin.post('/v1/scenarios').send({ yaml: 'name: x\ndays: 0\nprices: { BTC: 1 }\n' }).expect(422);
    expect(response.body).toMatchObject({ code: 'INVALID_SCENARIO' });
    expect(response.body.details.problems).toEqual([
      'line 1: users: must be a mapping (key: value lines)',
      'line 2: days: must be a whole number from 1 to 3650 (got 0)',
      'line 3: prices.BTC: must be a decimal written as a quoted string, like "1.5" (got 1)',
    ]);
    const user = await createUser(app, 'nosy');
    await app.api(user.apiKey).post('/v1/scenarios').send({ yaml: 'name: x' }).expect(403);
  });
});
