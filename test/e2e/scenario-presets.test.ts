import { afterAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { parseScenario } from '../../src/scenarios/scenario-format.js';
import type { Scenario } from '../../src/scenarios/scenario-format.js';
import { scenarioApiOf } from '../support/scenario-api.js';
import { playOnApi } from '../../src/scenarios/scenario-app.js';
import { playComparison } from '../../src/scenarios/scenario-comparison.js';
import { comparisonCharts, outcomes } from '../../src/charts/comparison-charts.js';

/**
 * One short real window (11 to 14 March 2020: BTC 7,881 to 4,901) under three presets, each on a
 * fresh application driven over HTTP, the preset applied through POST /v1/presets/:name/apply.
 * Where the rules differ, the outcomes must differ:
 *  - btc50 borrows 50 % of 7,881: LTV about 80 % at the low. LendLab and Nexo liquidate at
 *    83.3 % (a margin call only); Aave v3 at its 75 % threshold (collateral sold, a fee paid).
 *  - sol40 borrows 40 % against SOL, which falls to 60 %: LTV 66.7 %. LendLab's SOL margin call
 *    is at 60 % (a call), Nexo's at 71.4 % (none).
 */
const STORY = `
name: Two days of March 2020 under three presets
start: "2020-03-11T00:00:00Z"
days: 3
presets: [lendlab, nexo, aave-v3]
prices:
  BTC: { replay: btc-usd-daily, from: 2020-03-11, to: 2020-03-14 }
  SOL: "100"
  USDC: "1"
users: { lender: {}, btc50: {}, sol40: {} }
steps:
  - { day: 0, deposit: { user: lender, asset: USDC, amount: "1000000" } }
  - { day: 0, deposit: { user: btc50, asset: BTC, amount: "1" } }
  - { day: 0, borrow: { user: btc50, asset: USDC, amount: "3940" } }
  - { day: 0, deposit: { user: sol40, asset: SOL, amount: "100" } }
  - { day: 0, borrow: { user: sol40, asset: USDC, amount: "4000" } }
  - { day: 2, price: { asset: SOL, to: "60" } }
expect:
  - { user: btc50, notices: liquidation, count: 0, preset: [lendlab, nexo] }
  - { user: btc50, notices: liquidation, count: 1, preset: aave-v3 }
  - { user: sol40, notices: margin_call, count: 0, preset: nexo }
`;

describe('the same story under several presets', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function playOne(scenario: Scenario) {
    const app = await startTestApp({ CLOCK_START: scenario.start });
    apps.push(app);
    return playOnApi(scenario, scenarioApiOf(app));
  }

  it('plays each preset in a fresh world and the figures differ where the rules differ', async () => {
    const scenario = parseScenario(STORY, 'three-presets.yaml');
    const comparison = await playComparison(scenario, playOne);
    expect(comparison.runs.map((r) => r.preset)).toEqual(['lendlab', 'nexo', 'aave-v3']);
    expect(comparison.runs.map((r) => r.result.expectations.map((e) => e.passed))).toEqual([[true], [true, true], [true]]);
    expect(comparison.passed).toBe(true);

    const by = (account: string, preset: string) => outcomes(comparison.runs).find((o) => o.account === `${account}/main` && o.preset === preset)!;
    // The same prices everywhere: each world replayed the same window.
    expect(new Set(comparison.runs.map((r) => JSON.stringify(r.result.daily.map((d) => d.prices))))).toHaveProperty('size', 1);

    // BTC: liquidation at 83.3 % (LendLab, Nexo) against 75 % (Aave v3).
    for (const preset of ['lendlab', 'nexo']) {
      expect(by('btc50', preset)).toMatchObject({ positions: { BTC: '1.00000000' }, liquidations: 0, feesPaid: '0', badDebt: '0' });
      expect(by('btc50', preset).marginCalls).toBeGreaterThan(0);
    }
    const aave = by('btc50', 'aave-v3');
    expect(aave.liquidations).toBe(1);
    expect(Number(aave.positions.BTC)).toBeLessThan(1);
    expect(Number(aave.feesPaid)).toBeGreaterThan(0);

    // SOL: margin call at 60 % (LendLab) against 71.4 % (Nexo), at an LTV of 66.7 %.
    expect(by('sol40', 'lendlab').marginCalls).toBeGreaterThan(0);
    expect(by('sol40', 'nexo').marginCalls).toBe(0);
    expect(by('sol40', 'lendlab').ltv).toBe(by('sol40', 'nexo').ltv);

    // The engine's limits are the preset's (nexo lends 52.7 % against BTC), and what it could not apply is said:
    // Aave's close factor is applied now, its missing margin call and per-second accrual are not.
    expect(comparison.runs[2].notApplied.join(' ')).toMatch(/no margin call.*per-second accrual/);
    expect(comparison.runs[2].notApplied.join(' ')).not.toMatch(/close.factor/);
    expect(comparison.summary.join('\n')).toMatch(/btc50: under lendlab got \d+ margin call\(s\) but was not liquidated.*under aave-v3 was liquidated once/);
    // One chart per measure and borrower; fees only for btc50 (Aave's liquidation), bad debt for nobody (none anywhere).
    const charts = comparisonCharts(comparison.runs);
    expect(charts.filter((c) => c.includes('LTV, one line per preset'))).toHaveLength(2);
    expect(charts.filter((c) => c.includes('liquidation fees paid')).map((c) => /aria-label="(\w+):/.exec(c)?.[1])).toEqual(['btc50']);
    expect(charts.some((c) => c.includes('bad debt'))).toBe(false);
  }, 900_000);
});

describe('POST /v1/scenarios with several presets', () => {
  let app: TestApp;
  afterAll(async () => {
    await app?.close();
  });

  it('answers with the comparison beside the first preset\u2019s run', async () => {
    app = await startTestApp();
    const yaml = STORY.replace('presets: [lendlab, nexo, aave-v3]', 'presets: [lendlab, aave-v3]').replace(/, preset: \[lendlab, nexo\]/, ', preset: lendlab').replace(/\n.*preset: nexo }\n/, '\n');
    const response = await app.admin.post('/v1/scenarios').send({ yaml }).expect(200);
    expect(response.body.passed).toBe(true);
    expect(response.body.comparison.files.html).toMatch(/comparison\.html$/);
    expect(response.body.comparison.result.presets).toEqual(['lendlab', 'aave-v3']);
    expect(response.body.comparison.summary).toMatch(/under aave-v3 was liquidated once/);
    expect(response.body.result.preset.name).toBe('lendlab');
  }, 900_000);
});
