// A year in a day: the clock advanced 365 days, one at a time, in a world of 100,000 positions
// and 10,000 loans, with BTC (the loans' collateral) on a seeded random walk: each day a new
// price and its risk sweep, then the day's start (accrual, tiers, the daily sweep). The
// baseline, measured in the same run on the same database, is one pass over every position
// and every loan (what any per-row daily work would at least cost).
//   npm run bench -- year
import 'reflect-metadata';
import { ClockService } from '../src/clock/clock.service.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { PricesService } from '../src/prices/prices.service.js';
import { RiskSweeps } from '../src/risk/risk.jobs.js';
import { LedgerCheckService } from '../src/ledger/ledger-check.service.js';
import { pricePoints } from '../src/scenarios/price-paths.js';
import { Decimal } from '../src/common/money/decimal.js';
import { buildCrashWorld } from './crash-world.js';
import { buildSupplyWorld } from './supply-world.js';
import { BenchServices, benchConfig, benchDatabase, fmt, median, startBenchApp, startBenchServices, timed } from './support.js';
import { parseScenario } from '../src/scenarios/scenario-format.js';
import { httpApi, playOnApi } from '../src/scenarios/scenario-app.js';
import type { ClockAdvancing, ScenarioApi } from '../src/scenarios/scenario-runner.js';
import { startLocalApp } from '../src/bootstrap/create-app.js';
import { DayBreakdown, DayParts, reportDays } from './year-days.js';
import { ownCpuMs, postgresCpuMs } from './cpu.js';

const POSITIONS = 100_000;
const LOANS = 10_000;
const DAYS = Number(process.env.BENCH_DAYS ?? 365);
/** A year of BTC: no drift, 60 % annual volatility, the same path on every run (this seed falls to about 20,000: margin calls and liquidations). */
const BTC_PATH = { kind: 'gbm', days: DAYS, drift: '0', volatility: '0.6', seed: 42 } as const;

export interface YearFigures {
  days: number;
  positions: number;
  loans: number;
  totalMs: number;
  medianDayMs: number;
  medianPriceSweepMs: number;
  slowestDayMs: number;
  scanMs: number;
  liquidations: number;
  marginCalls: number;
  lowestBtc: string;
  /** Each day's pieces and what it wrote (year-days.ts). */
  breakdown: DayParts[];
}

export async function measureYear(services: BenchServices): Promise<YearFigures> {
  const { app } = await startBenchApp(services, 'year');
  try {
    const prisma = app.get(PrismaService);
    const prices = app.get(PricesService);
    // Savers in the other markets first (the builder sets those markets' sums), then the
    // borrowers: 10,000 accounts with 1 BTC each owing USDC, and their lender.
    await buildSupplyWorld(prisma, app.get(LedgerService), { positions: POSITIONS - LOANS - 1, loans: 0, assets: ['ETH', 'SOL', 'USDT'] });
    await buildCrashWorld(prisma, prices, LOANS);
    const clock = app.get(ClockService);
    const sweeps = app.get(RiskSweeps);
    const path = pricePoints('50000', BTC_PATH);
    const days: number[] = [];
    const priceSweeps: number[] = [];
    const breakdown = new DayBreakdown(app);
    await breakdown.start();
    // The total is the days' own time: the breakdown's counting between days is left out.
    let totalMs = 0;
    for (const point of path) {
      const sweep = await timed(async () => {
        const set = await prices.set('BTC', point.price);
        await sweeps.sweep(`price-${set.pointId}`, true);
      });
      breakdown.priceDone(sweep.ms);
      const dayStart = await timed(() => clock.advance({ days: 1 }));
      priceSweeps.push(sweep.ms);
      days.push(sweep.ms + dayStart.ms);
      totalMs += sweep.ms + dayStart.ms;
      await breakdown.dayDone(sweep.ms + dayStart.ms);
    }
    const total = { ms: totalMs };
    const scan = await timed(() => prisma.$queryRaw`SELECT (SELECT sum(scaled) FROM positions), (SELECT sum(scaled_debt) FROM loans)`);

    // A fast wrong answer must not pass: every market closed every day, nothing left that a
    // review should have liquidated, and the ledger balances.
    const closed = await prisma.marketDay.count();
    if (closed !== DAYS * 6) throw new Error(`expected ${DAYS * 6} market days, found ${closed}`);
    const liquidations = () => prisma.ledgerTransaction.count({ where: { type: 'liquidation' } });
    const before = await liquidations();
    await sweeps.sweep('after-the-year', true);
    if ((await liquidations()) !== before) throw new Error('a sweep after the year still found accounts to liquidate');
    const check = await app.get(LedgerCheckService).check();
    if (!check.balanced) throw new Error(`ledger not balanced: ${JSON.stringify(check.mismatches.slice(0, 3))}`);
    const [events] = await prisma.$queryRaw<{ liquidations: number; margin_calls: number }[]>`
      SELECT (SELECT count(*)::int FROM ledger_transactions WHERE type = 'liquidation') AS liquidations,
             (SELECT count(*)::int FROM notifications WHERE type = 'margin_call') AS margin_calls`;
    return {
      days: DAYS,
      positions: await prisma.position.count(),
      loans: await prisma.loan.count(),
      totalMs: total.ms,
      medianDayMs: median(days),
      medianPriceSweepMs: median(priceSweeps),
      slowestDayMs: Math.max(...days),
      scanMs: scan.ms,
      liquidations: events.liquidations,
      marginCalls: events.margin_calls,
      lowestBtc: Decimal.min(...path.map((point) => point.price)).toString(),
      breakdown: breakdown.days,
    };
  } finally {
    await app.close();
  }
}

/** The same small world (two users, a deposit and a loan) played for 1 day and for 365. */
export interface ScenarioDaysFigures {
  oneDay: ScenarioPlay;
  year: ScenarioPlay;
  /** The year played by the runner's old path: one advance and one set of live reads a day (left out with BENCH_YEAR_DAILY=skip). */
  yearDaily?: ScenarioPlay;
}

/** One play: its wall time (the application's start included), its HTTP requests, and those spent advancing the clock. */
export interface ScenarioPlay {
  ms: number;
  requests: number;
  advances: number;
  advanceMs: number;
  /** CPU used during the advances by this process (API and workers, in process) and by Postgres: less noisy than wall time on a shared machine. */
  advanceCpuMs: number;
  advancePgCpuMs: number;
  /** Wall time in the history reads that give the stretches' daily records (GET …/history). */
  historyMs: number;
}

function twoUserScenario(days: number) {
  const text = [
    `name: Two users for ${days} day(s)`,
    `days: ${days}`,
    'prices: { BTC: "50000" }',
    'users: { lender: {}, borrower: {} }',
    'steps:',
    '  - day: 0',
    '    deposit: { user: lender, asset: USDC, amount: "100000" }',
    '  - day: 0',
    '    deposit: { user: borrower, asset: BTC, amount: "1" }',
    '  - day: 0',
    '    borrow: { user: borrower, asset: USDC, amount: "20000" }',
    'expect:',
    '  - { user: borrower, debt: USDC, amount: "20000", tolerance: "100000" }',
    '',
  ].join('\n');
  return parseScenario(text, `two-users-${days}.yaml`);
}

/**
 * Plays the scenario on an application of its own (API over HTTP, workers in process), as
 * `npm run scenario` does, counting the requests and timing the clock's advances.
 */
async function playScenario(services: BenchServices, days: number, advancing: ClockAdvancing = 'stretches'): Promise<ScenarioPlay> {
  const scenario = twoUserScenario(days);
  const databaseUrl = await benchDatabase(services, `scenario${days}${advancing}`);
  const config = { ...benchConfig(services, databaseUrl, `scen${days}${advancing}${Date.now()}`), clockMode: 'simulated' as const, clockStart: new Date(scenario.start) };
  const figures = { requests: 0, advances: 0, advanceMs: 0, advanceCpuMs: 0, advancePgCpuMs: 0, historyMs: 0 };
  let historyReads = 0;
  let historyStarted = 0;
  const { ms, result } = await timed(async () => {
    const app = await startLocalApp(config);
    try {
      const http = httpApi(app.url, config.adminApiKey);
      const counted: ScenarioApi = {
        ...http,
        call: async (method, route, key, body) => {
          figures.requests += 1;
          if (route.includes('/history?')) {
            // Several at once (Promise.all): the wall time while any is in flight, counted once.
            if (historyReads++ === 0) historyStarted = performance.now();
            try {
              return await http.call(method, route, key, body);
            } finally {
              if (--historyReads === 0) figures.historyMs += performance.now() - historyStarted;
            }
          }
          if (route !== '/v1/clock/advance') return http.call(method, route, key, body);
          const [cpu, pgCpu] = [ownCpuMs(), postgresCpuMs(services.postgresPid())];
          const advance = await timed(() => http.call(method, route, key, body));
          figures.advances += 1;
          figures.advanceMs += advance.ms;
          figures.advanceCpuMs += ownCpuMs() - cpu;
          figures.advancePgCpuMs += postgresCpuMs(services.postgresPid()) - pgCpu;
          return advance.result;
        },
      };
      return await playOnApi(scenario, counted, undefined, advancing);
    } finally {
      await app.close();
    }
  });
  if (!result.passed) throw new Error(`the ${days}-day scenario did not pass: ${JSON.stringify(result.steps.filter((s) => s.outcome !== 'ok'))}`);
  return { ms, ...figures };
}

/**
 * BENCH_YEAR_REPEAT=n plays the 1-day and the 365-day scenario n times each, alternately, and
 * reports each one's median play (by wall time): on a shared machine one pair is noisy.
 */
export async function measureScenarioDays(services: BenchServices): Promise<ScenarioDaysFigures> {
  const repeat = Math.max(1, Number(process.env.BENCH_YEAR_REPEAT ?? 1));
  const oneDays: ScenarioPlay[] = [];
  const years: ScenarioPlay[] = [];
  for (let play = 0; play < repeat; play++) {
    oneDays.push(await playScenario(services, 1));
    years.push(await playScenario(services, 365));
  }
  const middle = (plays: ScenarioPlay[]) => [...plays].sort((a, b) => a.ms - b.ms)[Math.floor(plays.length / 2)];
  const yearDaily = process.env.BENCH_YEAR_DAILY === 'skip' ? undefined : await playScenario(services, 365, 'daily');
  return { oneDay: middle(oneDays), year: middle(years), yearDaily };
}

export function reportScenarioDays(f: ScenarioDaysFigures): string[] {
  const row = (name: string, p: ScenarioPlay) =>
    `| ${name} | ${fmt(p.ms)} | ${(p.ms / f.oneDay.ms).toFixed(2)}× | ${p.requests} | ${p.advances} | ${fmt(p.advanceMs)} | ${fmt(p.advanceCpuMs)} / ${fmt(p.advancePgCpuMs)} | ${fmt(p.ms - p.advanceMs)} | ${fmt(p.historyMs)} |`;
  return [
    '## Time travel in a small world',
    '',
    'A scenario of two users (a deposit, a loan) played through the API on an application of its own, for 1 day and for 365 (target: 365 days ≤ 2× 1 day); the runner advances each stretch of days without steps in one call. For comparison, the year played by its old day-by-day path.',
    '',
    '| play | wall time | × 1 day | HTTP requests | of which clock advances | time in the advances | CPU in the advances: app / Postgres | the rest (app start, set-up, reads) | of which history reads |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    row('1 day', f.oneDay),
    row('365 days', f.year),
    ...(f.yearDaily ? [row('365 days, day by day', f.yearDaily)] : []),
  ];
}

export function reportYear(f: YearFigures): string[] {
  return [
    '## A year in a day',
    '',
    `${f.days} simulated days, one at a time: each a new BTC price on a seeded random walk (lowest ${f.lowestBtc}) with its risk sweep, then the day's start (accrual, tiers, daily sweep).`,
    '',
    '| positions | loans | all days | per simulated day (median) | of which the price and its sweep | slowest day | baseline: one pass over every position and loan | liquidations | margin calls |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${f.positions.toLocaleString('en')} | ${f.loans.toLocaleString('en')} | ${(f.totalMs / 1000).toFixed(1)} s | ${fmt(f.medianDayMs)} | ${fmt(f.medianPriceSweepMs)} | ${fmt(f.slowestDayMs)} | ${fmt(f.scanMs)} | ${f.liquidations} | ${f.marginCalls} |`,
  ];
}

if (process.argv[1]?.endsWith('year.js')) {
  const services = await startBenchServices();
  try {
    // BENCH_YEAR=scenarios: only the small world's comparison; BENCH_YEAR=world: only the 100,000 positions.
    if (process.env.BENCH_YEAR !== 'world') process.stdout.write(reportScenarioDays(await measureScenarioDays(services)).join('\n') + '\n\n');
    if (process.env.BENCH_YEAR !== 'scenarios') {
      const year = await measureYear(services);
      process.stdout.write([...reportYear(year), '', ...reportDays(year.breakdown)].join('\n') + '\n');
    }
  } finally {
    await services.stop();
  }
}
