// A price crash that makes 10,000 of 100,000 loans liquidatable: the time from the price
// update until every liquidation is posted, with one and with two worker processes, against
// the baseline of one SQL statement that only finds those accounts.
//   npm run bench -- liquidation
import 'reflect-metadata';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { PricesService } from '../src/prices/prices.service.js';
import { RiskSweeps } from '../src/risk/risk.jobs.js';
import { RiskSweepService } from '../src/risk/risk-sweep.service.js';
import { LedgerCheckService } from '../src/ledger/ledger-check.service.js';
import { buildCrashWorld } from './crash-world.js';
import { CpuMeter, ownCpuMs, postgresCpuMs, processCpuMs } from './cpu.js';
import { BenchServices, LendLabProcess, fmt, startBenchApp, startBenchServices, startLendLabProcess, timed } from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);

export interface LiquidationFigures {
  workers: number;
  loans: number;
  liquidated: number;
  crashMs: number;
  findMs: number;
  /** CPU used during the crash, in ms: the worker processes together, Postgres, Redis. */
  cpu: { workers: number; postgres: number; redis: number };
}

export async function measureLiquidation(services: BenchServices, workers: 1 | 2): Promise<LiquidationFigures> {
  const { app, databaseUrl, config } = await startBenchApp(services, `liquidation${workers}`);
  const extra: LendLabProcess[] = [];
  try {
    const prisma = app.get(PrismaService);
    await buildCrashWorld(prisma, app.get(PricesService), LOANS);
    if (workers === 2) extra.push(await startLendLabProcess('worker', services, databaseUrl, config.queuePrefix));
    const meter = new CpuMeter({
      // This process is the first worker (its own CPU, in ms); the second is a process of its own.
      workers: () => ownCpuMs() + extra.reduce((sum, worker) => sum + processCpuMs(worker.pid), 0),
      postgres: () => postgresCpuMs(services.postgresPid()),
      redis: () => processCpuMs(services.redisPid()),
    });
    meter.start();
    const crash = await timed(async () => {
      const point = await app.get(PricesService).set('BTC', '30000');
      await app.get(RiskSweeps).sweep(`price-${point.pointId}`, true);
    });
    const used = meter.stop();
    const found = await timed(() => app.get(RiskSweepService).accountsToReview());
    const liquidated = await prisma.ledgerTransaction.count({ where: { type: 'liquidation' } });
    const expected = Math.floor(LOANS / 10);
    if (liquidated !== expected) throw new Error(`expected ${expected} liquidations, found ${liquidated}`);
    const check = await app.get(LedgerCheckService).check();
    if (!check.balanced) throw new Error(`ledger not balanced: ${JSON.stringify(check.mismatches.slice(0, 3))}`);
    return { workers, loans: LOANS, liquidated, crashMs: crash.ms, findMs: found.ms, cpu: { workers: used.workers, postgres: used.postgres, redis: used.redis } };
  } finally {
    for (const worker of extra) await worker.stop();
    await app.close();
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function reportLiquidation(results: LiquidationFigures[]): string[] {
  return [
    '## Liquidation after a crash',
    '',
    '| worker processes | loans | liquidated | price update → every liquidation posted | baseline: one SQL statement finding those accounts | CPU used meanwhile: workers / Postgres / Redis |',
    '|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.loans.toLocaleString('en')} | ${r.liquidated.toLocaleString('en')} | ${fmt(r.crashMs)} | ${fmt(r.findMs)} | ${seconds(r.cpu.workers)} / ${seconds(r.cpu.postgres)} / ${seconds(r.cpu.redis)} |`,
    ),
    '',
    'Target: under 10 s with two worker processes. The machine has two cores: the CPU column shows where they went.',
  ];
}

if (process.argv[1]?.endsWith('liquidation.js')) {
  const services = await startBenchServices();
  try {
    // BENCH_WORKERS=1 (or 2) runs one of the two, e.g. to profile it.
    const runs = process.env.BENCH_WORKERS ? [Number(process.env.BENCH_WORKERS) as 1 | 2] : ([1, 2] as const);
    const results: LiquidationFigures[] = [];
    for (const workers of runs) results.push(await measureLiquidation(services, workers));
    process.stdout.write(reportLiquidation(results).join('\n') + '\n');
  } finally {
    await services.stop();
  }
}
