import { describe, expect, it } from '@jest/globals';
import type { DayRecord, ScenarioResult } from './scenario-charts.js';
import { borrowersOf, comparisonCharts, comparisonSummary, comparisonTable, measureSeries, outcomes } from './comparison-charts.js';
import type { PresetRun } from './comparison-charts.js';

type Account = DayRecord['accounts'][string];
const account = (a: Partial<Account>): Account => ({
  tier: 'base', status: 'healthy', collateralValue: '0', debtValue: '0', ltv: null, marginCallLtv: '0.714', liquidationLtv: '0.833', positions: {}, debts: {}, ...a,
});
const day = (n: number, accounts: Record<string, Account>, events: DayRecord['events'] = []): DayRecord => ({
  day: n, date: `2020-03-${String(11 + n).padStart(2, '0')}T00:00:00.000Z`, prices: { BTC: '1' }, markets: {}, accounts, events,
});
const result = (daily: DayRecord[]): ScenarioResult => ({ name: 's', description: '', start: '2020-03-11T00:00:00.000Z', days: daily.length - 1, passed: true, steps: [], daily });

const lender = account({ collateralValue: '100000', positions: { USDC: '100000' } });
const liquidation = (feePaid: string, badDebt = '0') => ({ account: 'bob/main', type: 'liquidation', at: '2020-03-12T20:00:00.000Z', details: { ltvBefore: '0.8', ltvAfter: '0.714', target: '0.714', badDebt, feePaid } });
const call = { account: 'bob/main', type: 'margin_call', at: '2020-03-12T11:00:00.000Z', details: {} };

/** bob borrows under both; under "strict" he is liquidated twice (fees 10.5 + 0.25, bad debt 1.1), under "loose" only called. */
const RUNS: PresetRun[] = [
  {
    preset: 'loose',
    notApplied: [],
    result: result([
      day(0, { 'bob/main': account({ collateralValue: '8000', debtValue: '4000', ltv: '0.5', positions: { BTC: '1' } }), 'lender/main': lender }),
      day(1, { 'bob/main': account({ collateralValue: '5000', debtValue: '4000', ltv: '0.8', positions: { BTC: '1' } }), 'lender/main': lender }, [call]),
    ]),
  },
  {
    preset: 'strict',
    notApplied: ['hourly accrual: the engine accrues interest daily at 00:00 UTC'],
    result: result([
      day(0, { 'bob/main': account({ collateralValue: '8000', debtValue: '4000', ltv: '0.5', positions: { BTC: '1' } }), 'lender/main': lender }),
      day(1, { 'bob/main': account({ collateralValue: '3000', debtValue: '2100', ltv: '0.7', positions: { BTC: '0.6' } }), 'lender/main': lender }, [call, liquidation('10.5'), liquidation('0.25', '1.1')]),
    ]),
  },
];

describe('comparing presets', () => {
  it('is about the accounts that borrowed', () => {
    expect(borrowersOf(RUNS)).toEqual(['bob/main']);
  });

  it('draws each measure per day, fees and bad debt as running totals summed exactly', () => {
    expect(measureSeries(RUNS[1], 'bob/main', 'ltv')).toEqual([[0, 0.5], [1, 0.7]]);
    expect(measureSeries(RUNS[1], 'bob/main', 'collateral')).toEqual([[0, 8000], [1, 3000]]);
    expect(measureSeries(RUNS[1], 'bob/main', 'fees')).toEqual([[0, 0], [1, 10.75]]);
    expect(measureSeries(RUNS[1], 'bob/main', 'badDebt')).toEqual([[0, 0], [1, 1.1]]);
    expect(measureSeries(RUNS[0], 'bob/main', 'fees')).toEqual([[0, 0], [1, 0]]);
  });

  it('says what each borrower ended with under each preset', () => {
    expect(outcomes(RUNS)).toEqual([
      { account: 'bob/main', preset: 'loose', positions: { BTC: '1' }, collateralValue: '5000', debtValue: '4000', ltv: '0.8', marginCalls: 1, liquidations: 0, feesPaid: '0', badDebt: '0' },
      { account: 'bob/main', preset: 'strict', positions: { BTC: '0.6' }, collateralValue: '3000', debtValue: '2100', ltv: '0.7', marginCalls: 1, liquidations: 2, feesPaid: '10.75', badDebt: '1.1' },
    ]);
    const table = comparisonTable(RUNS);
    expect(table).toContain('<caption>What each borrower ended with, under each preset</caption>');
    expect(table.match(/<tr><th scope="row">bob<\/th>/g)).toHaveLength(2);
  });

  it('draws one chart per measure and borrower with a line per preset', () => {
    const charts = comparisonCharts(RUNS);
    expect(charts).toHaveLength(5);
    expect(charts.map((c) => /aria-label="([^:"]*: [^,"]*)/.exec(c)?.[1])).toEqual([
      'bob: LTV',
      'bob: collateral left (USD)',
      'bob: debt (USD)',
      'bob: liquidation fees paid (USD',
      'bob: bad debt (USD',
    ]);
    for (const chart of charts) expect(chart).toMatch(/loose[\s\S]*strict/);
  });

  it('reads out the difference and what the engine could not model', () => {
    expect(comparisonSummary(RUNS)).toEqual([
      'The same story under loose, strict: same prices, same people, same actions; only the platform\'s rules change.',
      'bob: under loose got 1 margin call(s) but was not liquidated, ending with 1 BTC and an LTV of 80.0 %; under strict was liquidated 2 times, paid $10.75 in fees and left $1.10 of bad debt, ending with 0.6 BTC and an LTV of 70.0 %.',
      'Not modelled for strict: hourly accrual: the engine accrues interest daily at 00:00 UTC.',
    ]);
  });
});
