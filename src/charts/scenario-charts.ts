/**
 * A scenario's result as the charts that show its lesson, first the lesson itself, then the
 * story's details. Used by the HTML report (src/scenarios/scenario-report.ts) and by the
 * console's Admin view (web/), so both draw the same pictures. Pure: strings in, strings out.
 */
import { PALETTE, barChartSvg, chartSvg } from './svg-chart.js';
import type { Marker, Series } from './svg-chart.js';
import { compactNumber, dayHourText, escapeHtml, noticeSentence, pctText, usdText } from './format.js';

/**
 * The part of a scenario's result (src/scenarios/scenario-runner.ts, ScenarioResult) the charts
 * read; declared here so that the browser build needs nothing from the server's modules.
 */
export interface DayRecord {
  day: number;
  date: string;
  prices: Record<string, string>;
  markets: Record<string, { utilization: string; supplyApr: string; borrowApr: string; totalSupplied: string; totalBorrowed: string }>;
  accounts: Record<
    string,
    {
      tier: string;
      status: string;
      collateralValue: string;
      debtValue: string;
      ltv: string | null;
      marginCallLtv: string | null;
      liquidationLtv: string | null;
      positions: Record<string, string>;
      debts: Record<string, string>;
    }
  >;
  events: { account: string; type: string; at: string; details: Record<string, unknown> }[];
}
export interface ScenarioResult {
  name: string;
  description: string;
  start: string;
  days: number;
  passed: boolean;
  steps: { day: number; hour: number; action: string; outcome: string; error: string | null }[];
  daily: DayRecord[];
}

const DAY_MS = 86_400_000;
const pctAxis = (v: number) => `${+(v * 100).toFixed(2)} %`;
const dayAxis = (v: number) => `${+v.toFixed(2)}`;
const num = (v: string | null | undefined) => (v === null || v === undefined ? null : Number(v));

interface Timeline {
  result: ScenarioResult;
  days: DayRecord[];
  /** Days since the start of each record (a record is taken after its day's last step). */
  t: number[];
  at: (iso: string) => number;
}

function timeline(result: ScenarioResult): Timeline {
  const start = Date.parse(result.start || result.daily[0]?.date || '1970-01-01T00:00:00Z');
  const at = (iso: string) => (Date.parse(iso) - start) / DAY_MS;
  return { result, days: result.daily, t: result.daily.map((d) => at(d.date)), at };
}

const shortName = (account: string) => account.replace(/\/main$/, '');

/** Every event of the story, in time order, with the time in days since the start. */
function allEvents(tl: Timeline) {
  return tl.days.flatMap((d) => d.events.map((e) => ({ ...e, x: tl.at(e.at) }))).sort((a, b) => a.x - b.x);
}

function eventMarkers(tl: Timeline, account?: string): Marker[] {
  const markers: Marker[] = [];
  for (const e of allEvents(tl)) {
    if (account && e.account !== account) continue;
    const who = account ? '' : `${shortName(e.account)}: `;
    if (e.type === 'liquidation') {
      markers.push({ x: e.x, label: `${who}liquidation ${dayHourText(e.x)}`, tone: 'danger' });
      const bad = Number(e.details.badDebt ?? 0);
      if (bad > 0) markers.push({ x: e.x, label: `${who}bad debt ${usdText(bad)}`, tone: 'danger' });
    } else if (e.type === 'margin_call') markers.push({ x: e.x, label: `${who}margin call`, tone: 'warning' });
    else if (e.type === 'tier_change') markers.push({ x: e.x, label: `${who}${e.details.from} → ${e.details.to}`, tone: 'info' });
  }
  // One label per distinct text and time (a sweep can notify twice at one instant).
  const seen = new Set<string>();
  return markers.filter((m) => !seen.has(`${m.x} ${m.label}`) && seen.add(`${m.x} ${m.label}`));
}

/** The price of an asset in time: the recorded days plus every price step at its hour, as steps. */
function pricePoints(tl: Timeline, asset: string): [number, number | null][] {
  const points: [number, number | null][] = tl.days.map((d, i) => [tl.t[i], num(d.prices[asset])]);
  for (const step of tl.result.steps) {
    const match = /^price (\S+) (\d+(?:\.\d+)?)$/.exec(step.action);
    if (match && match[1] === asset && step.outcome === 'ok') points.push([step.day + step.hour / 24, Number(match[2])]);
  }
  return points.sort((a, b) => a[0] - b[0]);
}

function activeAccounts(tl: Timeline): string[] {
  const names = Object.keys(tl.days[0]?.accounts ?? {});
  return names.filter((n) => tl.days.some((d) => Number(d.accounts[n].collateralValue) > 0 || Number(d.accounts[n].debtValue) > 0));
}
function borrowersOf(tl: Timeline): string[] {
  return activeAccounts(tl).filter((n) => tl.days.some((d) => Number(d.accounts[n].debtValue) > 0));
}

/** A value as a share of its own first non-zero value: accounts of any size on one axis. */
function shareOfStart(values: (number | null)[]): (number | null)[] {
  const first = values.find((v) => v !== null && v > 0);
  return values.map((v) => (v === null || !first ? null : v / first));
}

function ltvChart(tl: Timeline, name: string, lesson?: string): string {
  const records = tl.days.map((d) => d.accounts[name]);
  const latest = [...records].reverse().find((a) => a.marginCallLtv !== null && a.liquidationLtv !== null);
  const mc = num(latest?.marginCallLtv) ?? 0;
  const liq = num(latest?.liquidationLtv) ?? 0;
  const cap = Math.max(1, liq * 1.4);
  const points: [number, number | null][] = records.map((a, i) => [tl.t[i], num(a.ltv)]);
  const offChart: Marker[] = [];
  for (const e of allEvents(tl).filter((e) => e.account === name && e.type === 'liquidation')) {
    const before = num(e.details.ltvBefore as string);
    points.push([e.x - 1e-6, before], [e.x, num(e.details.ltvAfter as string)]);
    if (before !== null && before > cap) offChart.push({ x: e.x, label: `LTV reached ${pctText(before, 1)} (off the chart)`, tone: 'danger' });
  }
  points.sort((a, b) => a[0] - b[0]);
  const clipped = points.map(([x, y]) => [x, y === null ? null : Math.min(y, cap)] as [number, number | null]);
  return chartSvg({
    title: `${shortName(name)}: LTV against the margin-call and liquidation levels`,
    lesson: lesson ?? 'LTV = debt ÷ collateral value. Past the margin-call level the borrower is warned; past the liquidation level collateral is sold until the LTV is back at the margin-call level.',
    series: [{ name: 'LTV', points: clipped, step: true }],
    levels: [
      ...(mc ? [{ value: mc, label: `margin call ${pctText(mc, 1)}`, colour: '#8a4b00' }] : []),
      ...(liq ? [{ value: liq, label: `liquidation ${pctText(liq, 1)}`, colour: '#b3261e' }] : []),
    ],
    markers: [...eventMarkers(tl, name), ...offChart],
    yFormat: pctAxis,
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

function priceChart(tl: Timeline, asset: string, lesson?: string): string {
  return chartSvg({
    title: `${asset} price (USD)`,
    lesson: lesson ?? 'A price set at an hour holds until the next change: a gap is a jump, not a slope.',
    series: [{ name: asset, points: pricePoints(tl, asset), step: true }],
    markers: eventMarkers(tl),
    yFormat: (v) => `$${compactNumber(v)}`,
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

function marketChart(tl: Timeline, asset: string): string {
  const pts = (key: 'utilization' | 'borrowApr' | 'supplyApr') => tl.days.map((d, i) => [tl.t[i], num(d.markets[asset]?.[key])] as [number, number | null]);
  return chartSvg({
    title: `${asset} market: utilisation and rates`,
    lesson: 'Rates are set at 00:00 from the utilisation at that moment and hold for the whole day: they move in steps.',
    series: [
      { name: 'borrow APR', points: pts('borrowApr'), step: true },
      { name: 'supply APR', points: pts('supplyApr'), step: true },
      { name: 'utilisation', points: pts('utilization'), step: true, dashed: true },
    ],
    yFormat: pctAxis,
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

/** Each account on its own scale: collateral value and debt in USD, one small chart each. */
function accountCharts(tl: Timeline): string[] {
  return activeAccounts(tl).map((name) => {
    const series: Series[] = [{ name: 'collateral value', points: tl.days.map((d, i) => [tl.t[i], num(d.accounts[name].collateralValue)]), step: true, colour: PALETTE[0] }];
    if (tl.days.some((d) => Number(d.accounts[name].debtValue) > 0)) {
      series.push({ name: 'debt', points: tl.days.map((d, i) => [tl.t[i], num(d.accounts[name].debtValue)]), step: true, colour: PALETTE[1] });
    }
    return chartSvg({
      title: `${shortName(name)}: what the account holds and owes (USD)`,
      series,
      markers: eventMarkers(tl, name),
      yFormat: (v) => `$${compactNumber(v)}`,
      xFormat: dayAxis,
      xTitle: 'day',
      yFromZero: true,
      width: 470,
      height: 220,
    });
  });
}

/** The first chart: the lesson of the story, chosen from what happened in it. */
function lessonCharts(tl: Timeline): string[] {
  const events = allEvents(tl);
  const borrowers = borrowersOf(tl);
  const accounts = activeAccounts(tl);
  const badDebt = events.filter((e) => e.type === 'liquidation' && Number(e.details.badDebt ?? 0) > 0);

  if (badDebt.length > 0) {
    const lenders = accounts.filter((n) => !borrowers.includes(n));
    const series: Series[] = [
      ...lenders.map((n) => ({ name: `${shortName(n)}: what the lender is owed`, points: zip(tl, shareOfStart(tl.days.map((d) => num(d.accounts[n].collateralValue)))), step: true })),
      ...borrowers.flatMap((n) => [
        { name: `${shortName(n)}: debt`, points: zip(tl, shareOfStart(tl.days.map((d) => num(d.accounts[n].debtValue)))), step: true },
        { name: `${shortName(n)}: collateral`, points: zip(tl, shareOfStart(tl.days.map((d) => num(d.accounts[n].collateralValue)))), step: true, dashed: true },
      ]),
    ];
    addEventPoints(tl, series, borrowers);
    const total = badDebt.reduce((sum, e) => sum + Number(e.details.badDebt), 0);
    return [
      chartSvg({
        title: 'The lender is repaid in full: the platform absorbs the bad debt',
        lesson: `Each line is a share of its own start. The collateral's sale could not cover the debt; ${usdText(total)} was written off as the platform's loss, and the lender's claim stayed whole.`,
        series,
        markers: eventMarkers(tl),
        yFormat: pctAxis,
        xFormat: dayAxis,
        xTitle: 'day',
      }),
    ];
  }

  const tiered = borrowers.filter((n) => tl.days.some((d) => d.accounts[n].tier !== 'base'));
  if (tiered.length > 0 && borrowers.length > tiered.length) {
    const series: Series[] = borrowers.map((n) => ({
      name: `${shortName(n)}${tiered.includes(n) ? ' (loyalty tier)' : ' (base tier)'}`,
      points: zip(
        tl,
        shareOfStart(tl.days.map((d) => num(d.accounts[n].debtValue))).map((v) => (v === null ? null : v - 1)),
      ),
    }));
    return [
      chartSvg({
        title: 'Same loan, different tier: the debts diverge',
        lesson: 'Growth of each debt since it was taken. A loyalty tier takes points off the borrow APR: the gold debt grows slower (or not at all) while the plain one goes on.',
        series,
        markers: eventMarkers(tl).filter((m) => m.tone === 'info'),
        yFormat: (v) => `+${+(v * 100).toFixed(3)} %`,
        xFormat: dayAxis,
        xTitle: 'day',
      }),
    ];
  }

  const longDebt = borrowers.find((n) => tl.days.filter((d) => Number(d.accounts[n].debtValue) > 0).length >= 60);
  if (longDebt) {
    const first = tl.days.findIndex((d) => Number(d.accounts[longDebt].debtValue) > 0);
    const asset = Object.keys(tl.days[first].accounts[longDebt].debts)[0];
    const principal = Number(tl.days[first].accounts[longDebt].debts[asset]);
    const compound: [number, number | null][] = [];
    const simple: [number, number | null][] = [];
    let accrued = 0;
    for (let i = first; i < tl.days.length; i += 1) {
      if (i > first) accrued += (Number(tl.days[i - 1].markets[asset]?.borrowApr ?? 0) * (tl.t[i] - tl.t[i - 1])) / 365;
      compound.push([tl.t[i], Number(tl.days[i].accounts[longDebt].debts[asset] ?? 0)]);
      simple.push([tl.t[i], principal * (1 + accrued)]);
    }
    const rates = tl.days.slice(first + 1).map((d) => d.markets[asset]?.borrowApr);
    const apr = Number(rates[0] ?? 0);
    const charts = [
      chartSvg({
        title: `${shortName(longDebt)}'s ${asset} debt: daily compounding against simple interest`,
        lesson: `Simple interest at the APR adds the same amount each day; compounding at each 00:00 charges interest on interest. After ${Math.round(compound[compound.length - 1][0] - compound[0][0])} days: ${compound[compound.length - 1][1]!.toLocaleString('en-US', { maximumFractionDigits: 2 })} against ${simple[simple.length - 1][1]!.toLocaleString('en-US', { maximumFractionDigits: 2 })}.`,
        series: [
          { name: 'owed (compounded daily)', points: compound },
          { name: 'simple interest at the APR', points: simple, dashed: true },
        ],
        yFormat: (v) => compactNumber(v),
        yFromZero: false,
        xFormat: dayAxis,
        xTitle: 'day',
        width: 520,
      }),
    ];
    if (apr > 0 && rates.every((r) => r === rates[0])) {
      const apys: [string, number][] = [
        ['annual', apr],
        ['monthly', (1 + apr / 12) ** 12 - 1],
        ['daily', (1 + apr / 365) ** 365 - 1],
        ['continuous', Math.exp(apr) - 1],
      ];
      charts.push(
        barChartSvg({
          title: `APY for the same ${pctText(apr, 0)} APR`,
          lesson: 'What compounding adds on top of the APR: the more often, the more, up to a limit (continuous).',
          bars: apys.map(([label, value]) => ({ label, value: value - apr, text: `${pctText(value, 4)} APY (+${((value - apr) * 100).toFixed(4)} pts)` })),
        }),
      );
    }
    return [`<div class="side-by-side">${charts.join('')}</div>`];
  }

  const liquidated = events.find((e) => e.type === 'liquidation' || e.type === 'margin_call');
  if (liquidated && borrowers.includes(liquidated.account)) return [ltvChart(tl, liquidated.account)];
  return [];
}

function zip(tl: Timeline, values: (number | null)[]): [number, number | null][] {
  return values.map((v, i) => [tl.t[i], v]);
}

/** A liquidation's instant on a share-of-start chart: the lines fall at its hour, not at the next record. */
function addEventPoints(tl: Timeline, series: Series[], borrowers: string[]): void {
  for (const e of allEvents(tl).filter((e) => e.type === 'liquidation' && borrowers.includes(e.account))) {
    const idx = tl.days.findIndex((_, i) => tl.t[i] >= e.x);
    if (idx < 0) continue;
    for (const s of series.filter((s) => s.name.startsWith(`${shortName(e.account)}:`))) {
      const after = s.points[idx]?.[1] ?? null;
      s.points.push([e.x, after]);
      s.points.sort((a, b) => a[0] - b[0]);
    }
  }
}

/** Every chart of a scenario's report, the lesson first. */
export function scenarioCharts(result: ScenarioResult): string[] {
  if (result.daily.length === 0) return [];
  const tl = timeline(result);
  const assets = Object.keys(tl.days[0].prices);
  const moved = assets.filter((a) => new Set(pricePoints(tl, a).map((p) => p[1])).size > 1);
  const markets = assets.filter((a) => tl.days.some((d) => Number(d.markets[a]?.totalSupplied ?? 0) > 0 && Number(d.markets[a]?.totalBorrowed ?? 0) > 0));
  const charts = [
    ...lessonCharts(tl),
    ...borrowersOf(tl).map((n) => ltvChart(tl, n)),
    ...moved.map((a) => priceChart(tl, a)),
    ...markets.map((a) => marketChart(tl, a)),
    `<div class="small-multiples">${accountCharts(tl).join('')}</div>`,
  ];
  return [...new Set(charts)].filter(Boolean);
}

/** The events of a scenario as sentences: [when, account, sentence]. */
export function scenarioEventRows(result: ScenarioResult): { when: string; account: string; sentence: string }[] {
  const tl = timeline(result);
  return allEvents(tl).map((e) => ({
    when: `${dayHourText(Math.round(e.x * 24) / 24)} (${e.at.slice(0, 16).replace('T', ' ')} UTC)`,
    account: e.account,
    sentence: noticeSentence(e.type, e.details),
  }));
}

/** The events as an HTML table (the report and the console share it). */
export function scenarioEventsTable(result: ScenarioResult): string {
  const rows = scenarioEventRows(result)
    .map((r) => `<tr><td>${escapeHtml(r.when)}</td><td>${escapeHtml(r.account)}</td><td>${escapeHtml(r.sentence)}</td></tr>`)
    .join('');
  return `<table class="events"><caption>Events</caption><thead><tr><th scope="col">when</th><th scope="col">account</th><th scope="col">what happened</th></tr></thead><tbody>${rows || '<tr><td colspan="3">none</td></tr>'}</tbody></table>`;
}

/** The CSS both the report and the console give the charts. */
export const CHART_CSS =
  '.chart{margin:0 0 1.2em}.chart figcaption{margin:0 0 .3em;max-width:720px}.chart figcaption span{color:#444;font-size:.92em}' +
  '.side-by-side,.small-multiples{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}' +
  'table.events td:last-child{max-width:560px}';
