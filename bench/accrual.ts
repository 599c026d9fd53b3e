// One simulated day of accrual in a world of 10,000 and in one of 1,000,000 open positions
// (with 10% as many loans). Accrual moves each market's indexes and posts one aggregate
// ledger transaction per market, so both days should take about the same time. The baseline,
// measured in the same run on the same database, is one pass over every position (what any
// per-position accrual would at least cost).
//   npm run bench -- accrual
import 'reflect-metadata';
import { ClockService } from '../src/clock/clock.service.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { LedgerService } from '../src/ledger/ledger.service.js';
import { LedgerCheckService } from '../src/ledger/ledger-check.service.js';
import { ASSET_CODES } from '../src/common/money/assets.js';
import { buildSupplyWorld } from './supply-world.js';
import { BenchServices, fmt, median, startBenchApp, startBenchServices, timed } from './support.js';

const DAYS = 5;

export interface AccrualFigures {
  positions: number;
  loans: number;
  buildMs: number;
  dayMs: number;
  scanMs: number;
}

export async function measureAccrual(services: BenchServices, positions: number): Promise<AccrualFigures> {
  const { app } = await startBenchApp(services, `accrual${positions}`);
  try {
    const prisma = app.get(PrismaService);
    const build = await timed(() => buildSupplyWorld(prisma, app.get(LedgerService), { positions, loans: Math.floor(positions / 10), assets: ASSET_CODES }));
    const clock = app.get(ClockService);
    await clock.advance({ days: 1 }); // warm-up: first jobs, first plans
    const days: number[] = [];
    for (let i = 0; i < DAYS; i += 1) days.push((await timed(() => clock.advance({ days: 1 }))).ms);
    const scan = await timed(() => prisma.$queryRaw`SELECT asset, sum(scaled) FROM positions GROUP BY asset`);

    // A fast wrong answer must not pass: every market closed every day, and the ledger balances.
    const closed = await prisma.marketDay.count();
    if (closed !== (DAYS + 1) * 6) throw new Error(`expected ${(DAYS + 1) * 6} market days, found ${closed}`);
    const interest = await prisma.ledgerTransaction.count({ where: { type: 'interest' } });
    if (interest < DAYS * 6) throw new Error(`expected interest postings every day, found ${interest}`);
    const check = await app.get(LedgerCheckService).check();
    if (!check.balanced) throw new Error(`ledger not balanced: ${JSON.stringify(check.mismatches.slice(0, 3))}`);
    return { positions, loans: Math.floor(positions / 10), buildMs: build.ms, dayMs: median(days), scanMs: scan.ms };
  } finally {
    await app.close();
  }
}

export function reportAccrual(small: AccrualFigures, large: AccrualFigures): string[] {
  const ratio = large.dayMs / small.dayMs;
  return [
    '## Accrual: one simulated day',
    '',
    '| open positions | loans | one day (median of 5) | baseline: one pass over every position | world built in |',
    '|---:|---:|---:|---:|---:|',
    ...[small, large].map((f) => `| ${f.positions.toLocaleString('en')} | ${f.loans.toLocaleString('en')} | ${fmt(f.dayMs)} | ${fmt(f.scanMs)} | ${fmt(f.buildMs)} |`),
    '',
    `Ratio 1,000,000 / 10,000: ${ratio.toFixed(2)} (target ≤ 1.5); a day at 1,000,000 positions: ${fmt(large.dayMs)} (target < 1 s).`,
  ];
}

if (process.argv[1]?.endsWith('accrual.js')) {
  const services = await startBenchServices();
  try {
    const small = await measureAccrual(services, 10_000);
    const large = await measureAccrual(services, 1_000_000);
    process.stdout.write(reportAccrual(small, large).join('\n') + '\n');
  } finally {
    await services.stop();
  }
}
