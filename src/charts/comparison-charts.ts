/**
 * The same story played under several product presets, side by side: one chart per measure
 * (LTV, collateral left, debt, fees paid, bad debt) with a line per preset, a table of what each
 * borrower ended with under each preset, and a summary a teacher can read out. Used by the
 * comparison report (src/scenarios/scenario-comparison.ts) and by the console (web/). Pure:
 * results in, strings out; amounts are summed with decimal.js, numbers only for drawing.
 */
import { PALETTE, chartSvg } from './svg-chart.js';
import type { Series } from './svg-chart.js';
import { amountText, compactNumber, escapeHtml, pctText, usdText } from './format.js';
import { Decimal, dec } from '../common/money/decimal.js';
import type { DayRecord, ScenarioResult } from './scenario-charts.js';

/** One preset's run: its name, what the engine could not apply, and the result. */
export interface PresetRun {
  preset: string;
  title?: string;
  notApplied: string[];
  result: ScenarioResult;
}

export type Measure = 'ltv' | 'collateral' | 'debt' | 'fees' | 'badDebt';

/** What one borrower ended with under one preset. */
export interface BorrowerOutcome {
  account: string;
  preset: string;
  /** The positions left, asset → units. */
  positions: Record<string, string>;
  collateralValue: string;
  debtValue: string;
  ltv: string | null;
  marginCalls: number;
  liquidations: number;
  /** USD, summed over the liquidations' sales. */
  feesPaid: string;
  badDebt: string;
}

const shortName = (account: string) => account.replace(/\/main$/, '');
const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

/** The accounts that borrowed at some point in any run: the comparison is about them. */
export function borrowersOf(runs: PresetRun[]): string[] {
  const names = new Set<string>();
  for (const run of runs) for (const day of run.result.daily) for (const [name, a] of Object.entries(day.accounts)) if (Number(a.debtValue) > 0) names.add(name);
  return [...names].sort();
}

/** Liquidation fees and bad debt of an account up to and including a day's record (USD). */
function losses(days: DayRecord[], upTo: number, account: string): { fees: Decimal; badDebt: Decimal } {
  let fees = dec(0);
  let badDebt = dec(0);
  for (const day of days.slice(0, upTo + 1)) {
    for (const e of day.events) {
      if (e.account !== account || e.type !== 'liquidation') continue;
      fees = fees.plus(String(e.details.feePaid ?? '0'));
      badDebt = badDebt.plus(String(e.details.badDebt ?? '0'));
    }
  }
  return { fees, badDebt };
}

/** One measure of an account at each day's record: the line a preset draws. */
export function measureSeries(run: PresetRun, account: string, measure: Measure): [number, number | null][] {
  const days = run.result.daily;
  return days.map((d, i) => {
    const a = d.accounts[account];
    if (!a) return [d.day, null];
    if (measure === 'ltv') return [d.day, num(a.ltv)];
    if (measure === 'collateral') return [d.day, num(a.collateralValue)];
    if (measure === 'debt') return [d.day, num(a.debtValue)];
    const { fees, badDebt } = losses(days, i, account);
    return [d.day, (measure === 'fees' ? fees : badDebt).toNumber()];
  });
}

export function outcomes(runs: PresetRun[]): BorrowerOutcome[] {
  return borrowersOf(runs).flatMap((account) =>
    runs.map((run) => {
      const days = run.result.daily;
      const last = days[days.length - 1]?.accounts[account];
      const all = days.flatMap((d) => d.events.filter((e) => e.account === account));
      const { fees, badDebt } = losses(days, days.length - 1, account);
      return {
        account,
        preset: run.preset,
        positions: last?.positions ?? {},
        collateralValue: last?.collateralValue ?? '0',
        debtValue: last?.debtValue ?? '0',
        ltv: last?.ltv ?? null,
        marginCalls: all.filter((e) => e.type === 'margin_call').length,
        liquidations: all.filter((e) => e.type === 'liquidation').length,
        feesPaid: fees.toFixed(),
        badDebt: badDebt.toFixed(),
      };
    }),
  );
}

const MEASURES: { measure: Measure; title: string; lesson: string; percent?: boolean }[] = [
  { measure: 'ltv', title: 'LTV', lesson: 'Debt ÷ collateral value. A line that drops suddenly is a liquidation: collateral was sold.', percent: true },
  { measure: 'collateral', title: 'collateral left (USD)', lesson: 'The same prices under every preset: a line below the others is collateral sold.' },
  { measure: 'debt', title: 'debt (USD)', lesson: 'Interest adds to it; a liquidation repays part of it from the collateral sold.' },
  { measure: 'fees', title: 'liquidation fees paid (USD, running total)', lesson: 'What liquidation took beyond the debt it cleared: the fee on the collateral sold (restore), the liquidation bonus (close factor), the discount at the liquidation factor (absorb).' },
  { measure: 'badDebt', title: 'bad debt (USD, running total)', lesson: 'Debt the collateral could not cover, written off by the platform.' },
];

/** Per measure, per borrower: a chart with a line per preset (measures all zero under every preset are left out). */
export function comparisonCharts(runs: PresetRun[]): string[] {
  const charts: string[] = [];
  for (const { measure, title, lesson, percent } of MEASURES) {
    for (const account of borrowersOf(runs)) {
      const series: Series[] = runs.map((run, i) => ({ name: run.preset, points: measureSeries(run, account, measure), step: true, colour: PALETTE[i % PALETTE.length], dashed: i % 2 === 1 }));
      if ((measure === 'fees' || measure === 'badDebt') && series.every((s) => s.points.every(([, y]) => !y))) continue;
      charts.push(
        chartSvg({
          title: `${shortName(account)}: ${title}, one line per preset`,
          lesson,
          series,
          yFormat: percent ? (v) => `${+(v * 100).toFixed(2)} %` : (v) => `$${compactNumber(v)}`,
          xFormat: (v) => `${+v.toFixed(2)}`,
          xTitle: 'day',
          yFromZero: true,
        }),
      );
    }
  }
  return charts;
}

const positionsText = (positions: Record<string, string>) =>
  Object.entries(positions)
    .map(([asset, units]) => amountText(units, asset))
    .join(', ') || 'nothing';

/** What each borrower ended with under each preset, as an HTML table. */
export function comparisonTable(runs: PresetRun[]): string {
  const rows = outcomes(runs)
    .map(
      (o) =>
        `<tr><th scope="row">${escapeHtml(shortName(o.account))}</th><td>${escapeHtml(o.preset)}</td><td>${escapeHtml(positionsText(o.positions))}</td>` +
        `<td>${escapeHtml(usdText(o.debtValue))}</td><td>${escapeHtml(pctText(o.ltv, 1))}</td><td>${o.marginCalls}</td><td>${o.liquidations}</td>` +
        `<td>${escapeHtml(usdText(o.feesPaid))}</td><td>${escapeHtml(usdText(o.badDebt))}</td></tr>`,
    )
    .join('');
  return (
    '<table class="comparison"><caption>What each borrower ended with, under each preset</caption><thead><tr>' +
    '<th scope="col">borrower</th><th scope="col">preset</th><th scope="col">collateral left</th><th scope="col">debt</th><th scope="col">LTV</th>' +
    '<th scope="col">margin calls</th><th scope="col">liquidations</th><th scope="col">fees paid</th><th scope="col">bad debt</th>' +
    `</tr></thead><tbody>${rows || '<tr><td colspan="9">no borrower</td></tr>'}</tbody></table>`
  );
}

/**
 * The comparison in sentences, one paragraph per borrower, then what the engine could not
 * apply: a finance teacher reads it out as it is.
 */
export function comparisonSummary(runs: PresetRun[]): string[] {
  const lines: string[] = [`The same story under ${runs.map((r) => r.preset).join(', ')}: same prices, same people, same actions; only the platform's rules change.`];
  const all = outcomes(runs);
  for (const account of borrowersOf(runs)) {
    const mine = all.filter((o) => o.account === account);
    const parts = mine.map((o) => {
      const fate =
        o.liquidations > 0
          ? `was liquidated ${o.liquidations === 1 ? 'once' : `${o.liquidations} times`}, paid ${usdText(o.feesPaid)} in fees${Number(o.badDebt) > 0 ? ` and left ${usdText(o.badDebt)} of bad debt` : ''}`
          : o.marginCalls > 0
            ? `got ${o.marginCalls} margin call(s) but was not liquidated`
            : 'got no margin call';
      return `under ${o.preset} ${fate}, ending with ${positionsText(o.positions)} and an LTV of ${pctText(o.ltv, 1)}`;
    });
    const same = new Set(mine.map((o) => `${positionsText(o.positions)} ${o.marginCalls} ${o.liquidations} ${o.feesPaid}`)).size === 1;
    lines.push(`${shortName(account)}: ${parts.join('; ')}.${same && mine.length > 1 ? ' The rules made no difference to this borrower.' : ''}`);
  }
  for (const run of runs.filter((r) => r.notApplied.length)) lines.push(`Not modelled for ${run.preset}: ${run.notApplied.join('; ')}.`);
  return lines;
}
