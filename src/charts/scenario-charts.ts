/**
 * A scenario's result as the charts that show its lesson, first the lesson itself, then the
 * story's details. Used by the HTML report (src/scenarios/scenario-report.ts) and by the
 * console's Admin view (web/), so both draw the same pictures. Pure: strings in, strings out.
 */
import { PALETTE, barChartSvg, chartSvg } from './svg-chart.js';
import type { Marker, Series } from './svg-chart.js';
import { amountText, compactNumber, dayHourText, escapeHtml, noticeSentence, pctText, usdText } from './format.js';
import { dec } from '../common/money/decimal.js';

/**
 * The part of a scenario's result (src/scenarios/scenario-runner.ts, ScenarioResult) the charts
 * read; declared here so that the browser build needs nothing from the server's modules.
 */
export interface DayRecord {
  day: number;
  date: string;
  prices: Record<string, string>;
  markets: Record<
    string,
    {
      utilization: string;
      supplyApr: string;
      borrowApr: string;
      totalSupplied: string;
      totalBorrowed: string;
      /** The curve's kink, when the record carries it: drawn as a level on the kink lesson. */
      optimalUtilization?: string;
    }
  >;
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
  /** What each expectation found (the runner's text, e.g. "bob/main: debt SOL 90 ± 0"), at its instant. */
  expectations?: { day: number; hour: number; expectation: string; actual: string; passed: boolean }[];
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

function ltvChart(tl: Timeline, name: string, lesson?: string, title?: string, extraMarkers: Marker[] = []): string {
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
    title: title ?? `${shortName(name)}: LTV against the margin-call and liquidation levels`,
    lesson: lesson ?? 'LTV = debt ÷ collateral value. Past the margin-call level the borrower is warned; past the liquidation level collateral is sold until the LTV is back at the margin-call level.',
    series: [{ name: 'LTV', points: clipped, step: true }],
    levels: [
      ...(mc ? [{ value: mc, label: `margin call ${pctText(mc, 1)}`, colour: '#8a4b00' }] : []),
      ...(liq ? [{ value: liq, label: `liquidation ${pctText(liq, 1)}`, colour: '#b3261e' }] : []),
    ],
    markers: [...eventMarkers(tl, name).filter((m) => !(extraMarkers.length && m.label.startsWith('liquidation'))), ...extraMarkers, ...offChart].sort((a, b) => a.x - b.x),
    yMax: Math.min(cap, liq * 1.3),
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

/** A step of the story, read back from the runner's sentence ("repay all SOL (bob/main)"). */
interface StoryStep {
  kind: 'deposit' | 'withdraw' | 'borrow' | 'repay';
  asset: string;
  amount: string | null;
  account: string;
  x: number;
  ok: boolean;
  error: string | null;
}

function storySteps(tl: Timeline): StoryStep[] {
  const out: StoryStep[] = [];
  for (const step of tl.result.steps) {
    const money = /^(deposit|borrow|repay) (\S+) (\S+) \(([^)]+)\)$/.exec(step.action);
    const withdraw = /^withdraw (\S+) \(([^)]+)\)$/.exec(step.action);
    const base = { x: step.day + step.hour / 24, ok: step.outcome === 'ok', error: step.error };
    if (money) out.push({ ...base, kind: money[1] as StoryStep['kind'], amount: money[2], asset: money[3], account: money[4] });
    else if (withdraw) out.push({ ...base, kind: 'withdraw', amount: null, asset: withdraw[1], account: withdraw[2] });
  }
  return out.sort((a, b) => a.x - b.x);
}

/**
 * An account's position or debt in an asset through time: the daily records, plus what the
 * expectations observed between them (the runner's "who: debt SOL …" lines and their actual figure).
 */
function holdingPoints(tl: Timeline, account: string, side: 'position' | 'debt', asset: string): { x: number; value: string }[] {
  const points = tl.days.map((d, i) => ({ x: tl.t[i], record: 1, value: (side === 'position' ? d.accounts[account]?.positions : d.accounts[account]?.debts)?.[asset] ?? '0' }));
  for (const e of tl.result.expectations ?? []) {
    const match = /^(\S+): (position|debt) (\S+) /.exec(e.expectation);
    if (match && match[1] === account && match[2] === side && match[3] === asset && /^\d+(\.\d+)?$/.test(e.actual)) points.push({ x: e.day + e.hour / 24, record: 0, value: e.actual });
  }
  // At one instant, the observations (in the order they were made) come before the record taken after the day's last step.
  return points.map((p, i) => ({ ...p, i })).sort((a, b) => a.x - b.x || a.record - b.record || a.i - b.i).map(({ x, value }) => ({ x, value }));
}

const sumOf = (values: (string | null)[]) => values.reduce((s, v) => s.plus(v ?? 0), dec(0));
const dayLabel = (v: number) => `day ${+v.toFixed(2)}`;

/** falling-market: the LTV against its levels, the partial liquidation marked with what it did. */
function partialLiquidationLesson(tl: Timeline, name: string): string {
  const records = tl.days.map((d) => d.accounts[name]);
  const extra: Marker[] = [];
  for (const e of allEvents(tl).filter((e) => e.account === name && e.type === 'liquidation')) {
    const before = [...records].map((r, i) => ({ r, i })).filter(({ i }) => tl.t[i] < e.x).pop()?.r;
    const after = records.find((_, i) => tl.t[i] >= e.x);
    const sold = Object.keys(before?.positions ?? {})
      .filter((a) => after && dec(after.positions[a] ?? '0').lt(before!.positions[a]))
      .map((a) => `${a} ${amountText(before!.positions[a], a).replace(/ \S+$/, '')} → ${amountText(after!.positions[a] ?? '0', a).replace(/ \S+$/, '')}`);
    extra.push({ x: e.x, label: `partial sale: LTV ${pctText(String(e.details.ltvBefore), 1)} → ${pctText(String(e.details.ltvAfter), 1)}${sold.length ? `, ${sold.join(', ')}` : ''}`, tone: 'danger' });
  }
  return ltvChart(
    tl,
    name,
    'Each line is a level: past the margin-call level the borrower is warned (and told how much to repay); at the liquidation level only part of the collateral is sold, just enough to bring the LTV back to the margin-call level, and the rest stays hers.',
    `${shortName(name)}: a margin call, then a partial liquidation that stops at the margin-call level`,
    extra,
  );
}

/** real-return: the lender's nominal return against what it buys at each inflation the story names. */
function realReturnLesson(tl: Timeline): string | null {
  const wanted = (tl.result.expectations ?? [])
    .map((e) => /^(\S+): real return on (\S+) \S+ ± \S+ with (\S+) inflation a year$/.exec(e.expectation))
    .filter((m): m is RegExpExecArray => m !== null);
  if (wanted.length === 0) return null;
  const [, account, asset] = wanted[0];
  const inflations = [...new Set(wanted.filter((m) => m[1] === account && m[2] === asset).map((m) => m[3]))];
  const held = tl.days.map((d, i) => ({ x: tl.t[i], amount: d.accounts[account]?.positions[asset] ?? null }));
  const first = held.find((h) => h.amount !== null && dec(h.amount).gt(0));
  if (!first) return null;
  // Chart coordinates only: the growth of the position as a float.
  const nominal = held.map((h) => [h.x, h.amount === null ? null : Number(h.amount) / Number(first.amount) - 1] as [number, number | null]);
  const series: Series[] = [{ name: 'nominal return', points: nominal }];
  for (const inflation of inflations) {
    series.push({
      name: `real return at ${pctText(inflation, 0)} inflation`,
      points: nominal.map(([x, n]) => [x, n === null ? null : (1 + n) / (1 + Number(inflation)) ** ((x - first.x) / 365) - 1]),
      dashed: true,
    });
  }
  // The figures in the sentence are decimals: the last record against the first.
  const last = [...held].reverse().find((h) => h.amount !== null)!;
  const years = dec(Math.round((last.x - first.x) * 24)).div(365 * 24);
  const nominalEnd = dec(last.amount!).div(first.amount!).minus(1);
  const realEnd = inflations.map((i) => `${pctText(nominalEnd.plus(1).div(dec(1).plus(i).pow(years)).minus(1).toFixed(), 2)} at ${pctText(i, 0)} inflation`);
  return chartSvg({
    title: `${shortName(account)}: nominal and real return on ${asset}`,
    lesson: `The position grew ${pctText(nominalEnd.toFixed(), 2)} (nominal). What it buys grows by less: (1 + nominal) ÷ (1 + inflation) − 1, ${realEnd.join(', ')}. Below the zero line the lender is losing purchasing power while the balance grows.`,
    series,
    levels: [{ value: 0, label: 'no change in what it buys', colour: '#5c5c5c' }],
    yFormat: pctAxis,
    yFromZero: false,
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

/** lone-lender: the borrower leaves at an hour, the lender's claim goes on to 00:00 and is paid in full. */
function loneLenderLesson(tl: Timeline, steps: StoryStep[], borrowers: string[]): string | null {
  const leave = steps.find(
    (s) => s.kind === 'repay' && s.ok && s.x % 1 > 0 && borrowers.includes(s.account) && tl.days.every((d, i) => tl.t[i] < s.x || Object.values(d.accounts).every((a) => sumOf(Object.values(a.debts)).isZero())),
  );
  if (!leave) return null;
  const payout = steps.find((s) => s.kind === 'withdraw' && s.ok && s.x > leave.x && s.asset === leave.asset && !borrowers.includes(s.account));
  if (!payout) return null;
  const { asset } = leave;
  const lender = payout.account;
  const deposited = sumOf(steps.filter((s) => s.kind === 'deposit' && s.ok && s.account === lender && s.asset === asset && s.x <= payout.x).map((s) => s.amount));
  const borrowed = sumOf(steps.filter((s) => s.kind === 'borrow' && s.ok && s.account === leave.account && s.asset === asset).map((s) => s.amount));
  const claims = holdingPoints(tl, lender, 'position', asset).filter((p) => p.x < payout.x);
  const debts = holdingPoints(tl, leave.account, 'debt', asset).filter((p) => p.x <= leave.x);
  const claimAtPayout = claims[claims.length - 1]?.value ?? '0';
  const earned = dec(claimAtPayout).minus(deposited);
  const debtAtLeave = debts.filter((p) => dec(p.value).gt(0)).pop();
  const paid = debtAtLeave ? dec(debtAtLeave.value).minus(borrowed) : null;
  // Interest as chart coordinates; accrual within a day is pro rata (straight lines between observations).
  const lenderPoints: [number, number | null][] = claims.map((p) => [p.x, Number(dec(p.value).minus(deposited))]);
  lenderPoints.push([payout.x, Number(earned)], [payout.x + 1e-6, null]);
  const borrowerPoints: [number, number | null][] = debts.filter((p) => dec(p.value).gt(0)).map((p) => [p.x, Number(dec(p.value).minus(borrowed))]);
  if (paid) borrowerPoints.push([leave.x, Number(paid)], [payout.x, Number(paid)]);
  const hour = Math.round((leave.x % 1) * 24);
  return chartSvg({
    title: `The lone lender is repaid in full: the platform pays the interest nobody paid`,
    lesson:
      `${shortName(leave.account)} repaid everything at ${String(hour).padStart(2, '0')}:00 on day ${Math.floor(leave.x)} and stopped paying${paid ? ` (${amountText(paid.toFixed(), asset)} of interest in all)` : ''}. ` +
      `The lender's rate was fixed at 00:00, so her interest went on until the next 00:00: ${amountText(earned.toFixed(), asset)}. ` +
      `${paid ? `The gap, ${amountText(earned.minus(paid).toFixed(), asset)}, was paid by the platform into the market's cash; ` : 'The platform paid what no borrower did; '}` +
      `she withdrew all ${amountText(claimAtPayout, asset)} on ${dayHourText(payout.x)}.`,
    series: [
      { name: `${shortName(lender)}: interest owed to her (${asset})`, points: lenderPoints },
      { name: `${shortName(leave.account)}: interest he paid (${asset})`, points: borrowerPoints, dashed: true },
    ],
    markers: [
      { x: leave.x, label: `${shortName(leave.account)} repays all, ${dayHourText(leave.x)}`, tone: 'info' },
      { x: Math.ceil(leave.x), label: 'next 00:00: the lender’s day ends', tone: 'warning' },
      { x: payout.x, label: `${shortName(lender)} withdraws ${amountText(claimAtPayout, asset)}: in full`, tone: 'info' },
    ],
    yFormat: (v) => compactNumber(v),
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

/** bank-run: matured lenders wait for cash while every unit is lent out. */
function bankRunLesson(tl: Timeline, steps: StoryStep[], borrowers: string[]): string | null {
  const refused = steps.find((s) => s.kind === 'withdraw' && s.error === 'INSUFFICIENT_LIQUIDITY');
  if (!refused) return null;
  const { asset } = refused;
  const lenders = activeAccounts(tl).filter((n) => !borrowers.includes(n) && tl.days.some((d) => dec(d.accounts[n].positions[asset] ?? '0').gt(0)));
  const markers: Marker[] = [];
  for (const e of allEvents(tl).filter((e) => e.type === 'maturity' && lenders.includes(e.account))) markers.push({ x: e.x, label: `${shortName(e.account)} matured`, tone: 'info' });
  for (const s of steps.filter((s) => s.asset === asset && (s.kind === 'withdraw' || s.kind === 'repay'))) {
    if (s.kind === 'repay') markers.push({ x: s.x, label: `${shortName(s.account)} repays ${s.amount === 'all' ? 'the rest' : amountText(s.amount, asset)}`, tone: 'info' });
    else markers.push({ x: s.x, label: s.ok ? `${shortName(s.account)} withdraws` : `${shortName(s.account)}: refused, no cash`, tone: s.ok ? 'info' : 'danger' });
  }
  // Markers at one instant and of one kind share a label ("first, second matured").
  const merged = new Map<string, Marker>();
  for (const m of markers) {
    const key = `${m.x} ${m.tone} ${m.label.replace(/^\S+/, '')}`;
    const found = merged.get(key);
    if (!found) merged.set(key, { ...m });
    else if (!found.label.includes(m.label)) found.label = `${found.label.split(/(?=[: ])/)[0]}, ${m.label}`;
  }
  const unique = [...merged.values()].sort((a, b) => a.x - b.x);
  const full = tl.days.filter((d) => dec(d.markets[asset]?.utilization ?? '0').gte(1)).map((d) => d.day);
  const claims = chartSvg({
    title: `${asset}: what the lenders are owed, and the cash to pay them`,
    lesson: `A deposit is lent out at once: the lenders' claims are real, but the market's cash is what borrowers left unborrowed. A matured lender can leave only when there is cash: each repayment lets someone out.`,
    series: [
      ...lenders.map((n) => ({ name: `${shortName(n)}: owed`, points: zip(tl, tl.days.map((d) => num(d.accounts[n].positions[asset] ?? '0'))), step: true })),
      {
        name: 'cash in the market',
        points: zip(tl, tl.days.map((d) => (d.markets[asset] ? Number(dec(d.markets[asset].totalSupplied).minus(d.markets[asset].totalBorrowed).toFixed()) : null))),
        step: true,
        dashed: true,
        colour: PALETTE[2],
      },
    ],
    markers: unique,
    yFormat: (v) => compactNumber(v),
    xFormat: dayAxis,
    xTitle: 'day',
  });
  const utilisation = chartSvg({
    title: `${asset} utilisation`,
    lesson: full.length ? `${pctText('1', 0)} from day ${full[0]} to day ${full[full.length - 1]}: everything lent, nothing to withdraw, and the rates at the top of the curve.` : undefined,
    series: [{ name: 'utilisation', points: zip(tl, tl.days.map((d) => num(d.markets[asset]?.utilization))), step: true }],
    levels: [{ value: 1, label: 'all lent out', colour: '#b3261e' }],
    markers: unique.filter((m) => m.tone === 'danger'),
    yFormat: pctAxis,
    xFormat: dayAxis,
    xTitle: 'day',
    width: 560,
    height: 200,
  });
  return `${claims}${utilisation}`;
}

/** maturity-reset: each account's maturity date through time; a top-up moves it, a sub-account keeps its own. */
function maturityLesson(tl: Timeline, steps: StoryStep[]): string | null {
  const locked = steps.filter((s) => s.kind === 'withdraw' && s.error === 'POSITION_LOCKED');
  if (locked.length === 0) return null;
  const deposits = steps.filter((s) => s.kind === 'deposit' && s.ok);
  // The lending period, as the platform applied it: a maturity notice against the deposit before it.
  let period: number | null = null;
  for (const e of allEvents(tl).filter((e) => e.type === 'maturity' && typeof e.details.maturesAt === 'string')) {
    const due = tl.at(e.details.maturesAt as string);
    const last = deposits.filter((s) => s.account === e.account && s.x <= due).pop();
    if (last) period = due - last.x;
    if (period !== null) break;
  }
  if (period === null) return null;
  const accounts = [...new Set(deposits.map((s) => `${s.account} ${s.asset}`))];
  const end = Math.max(...tl.t, ...steps.map((s) => s.x));
  const series: Series[] = accounts.map((key) => {
    const [account, asset] = key.split(' ');
    const points: [number, number | null][] = [];
    for (const s of steps.filter((s) => s.account === account && s.asset === asset && s.ok && (s.kind === 'deposit' || s.kind === 'withdraw'))) {
      if (s.kind === 'deposit') points.push([s.x, s.x + period!]);
      else points.push([s.x, points.length ? points[points.length - 1][1] : null], [s.x + 1e-6, null]);
    }
    return { name: `${account.replace(/\/main$/, '')}${account.endsWith('/main') ? ' (main)' : ''}: matures`, points, step: true };
  });
  // Lines can coincide (the same date in two accounts): every line after the first is dashed, so the one under it shows.
  series.forEach((s, i) => (s.dashed = i > 0));
  series.push({ name: 'today', points: [[0, 0], [end, end]], dashed: true, colour: PALETTE[5] });
  const markers: Marker[] = steps
    .filter((s) => s.kind === 'withdraw' || (s.kind === 'deposit' && deposits.some((d) => d.account === s.account && d.asset === s.asset && d.x < s.x)))
    .map((s) => ({
      x: s.x,
      label: s.kind === 'deposit' ? `${shortName(s.account)} tops up` : s.ok ? `${shortName(s.account)} withdraws` : `${shortName(s.account)}: refused, locked`,
      tone: s.kind === 'deposit' ? 'warning' : s.ok ? 'info' : 'danger',
    }));
  return chartSvg({
    title: 'A top-up moves the maturity of the whole position; a sub-account keeps its own',
    lesson: `Each line is the day a position matures (${+period.toFixed(2)} days after its latest deposit). A withdrawal works once the dashed "today" line has reached the account's line: a top-up in the same account lifts the line for the old money too, while one in a sub-account starts a line of its own.`,
    series,
    markers,
    yFormat: dayLabel,
    xFormat: dayAxis,
    xTitle: 'day',
  });
}

/** kink-spike: utilisation jumps past the kink, and at the next 00:00 the borrow APR jumps with it. */
function kinkLesson(tl: Timeline): string | null {
  for (const asset of Object.keys(tl.days[0]?.markets ?? {})) {
    const jump = tl.days.findIndex((d, i) => {
      if (i === 0) return false;
      const [before, after] = [dec(tl.days[i - 1].markets[asset]?.borrowApr ?? '0'), dec(d.markets[asset]?.borrowApr ?? '0')];
      return after.minus(before).gte('0.05') && after.gte(before.times(3));
    });
    if (jump < 0) continue;
    const days = tl.days;
    const ratePoints = (key: 'borrowApr' | 'supplyApr') => days.map((d) => [d.day, num(d.markets[asset]?.[key])] as [number, number | null]);
    const kink = days.map((d) => d.markets[asset]?.optimalUtilization).find((k) => k !== undefined);
    const before = days[jump - 1].markets[asset];
    const after = days[jump].markets[asset];
    return chartSvg({
      title: `${asset}: past the kink, the borrow APR jumps`,
      lesson:
        `Utilisation reached ${pctText(before.utilization, 1)} on day ${days[jump - 1].day}; rates are set from it at the next 00:00 and hold all day, so on day ${days[jump].day} the borrow APR stepped from ${pctText(days[jump - 1].markets[asset].borrowApr, 2)} to ${pctText(after.borrowApr, 2)}` +
        ` and lenders earn ${pctText(after.supplyApr, 2)}. ${kink ? `Above the kink at ${pctText(kink, 0)} the curve is steep: a market short of cash pays lenders to come back.` : 'Past the kink the curve is steep: a market short of cash pays lenders to come back.'}`,
      series: [
        { name: 'borrow APR', points: ratePoints('borrowApr'), step: true },
        { name: 'supply APR', points: ratePoints('supplyApr'), step: true },
        { name: 'utilisation', points: zip(tl, days.map((d) => num(d.markets[asset]?.utilization))), step: true, dashed: true },
      ],
      levels: kink ? [{ value: Number(kink), label: `kink ${pctText(kink, 0)}`, colour: '#5c5c5c' }] : [],
      markers: [{ x: days[jump].day, label: `00:00: borrow APR ${pctText(days[jump - 1].markets[asset].borrowApr, 2)} → ${pctText(after.borrowApr, 2)}`, tone: 'warning' }],
      yFormat: pctAxis,
      xFormat: dayAxis,
      xTitle: 'day',
    });
  }
  return null;
}

/** The first chart: the lesson of the story, chosen from what happened in it. */
function lessonCharts(tl: Timeline): string[] {
  const events = allEvents(tl);
  const borrowers = borrowersOf(tl);
  const accounts = activeAccounts(tl);
  const steps = storySteps(tl);
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
    const total = sumOf(badDebt.map((e) => String(e.details.badDebt))).toFixed();
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

  const real = realReturnLesson(tl);
  if (real) return [real];
  const lone = loneLenderLesson(tl, steps, borrowers);
  if (lone) return [lone];

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

  const run = bankRunLesson(tl, steps, borrowers);
  if (run) return [`<div class="side-by-side">${run}</div>`];
  const maturity = maturityLesson(tl, steps);
  if (maturity) return [maturity];
  const sold = events.find((e) => e.type === 'liquidation' && borrowers.includes(e.account));
  if (sold) return [partialLiquidationLesson(tl, sold.account)];
  const kink = kinkLesson(tl);
  if (kink) return [kink];
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
