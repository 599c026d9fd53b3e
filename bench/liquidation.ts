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
import { BenchServices, fmt, startBenchApp, startBenchServices, startWorkerProcess, timed } from './support.js';

const LOANS = Number(process.env.BENCH_LOANS ?? 100_000);

export interface LiquidationFigures {
  workers: number;
  loans: number;
  liquidated: number;
  crashMs: number;
  findMs: number;
}

export async function measureLiquidation(services: BenchServices, workers: 1 | 2): Promise<LiquidationFigures> {
  const { app, databaseUrl, config } = await startBenchApp(services, `liquidation${workers}`);
  const extra: { stop(): Promise<void> }[] = [];
  try {
    const prisma = app.get(PrismaService);
    await buildCrashWorld(prisma, app.get(PricesService), LOANS);
    if (workers === 2) extra.push(await startWorkerProcess(services, databaseUrl, config.queuePrefix));
    const crash = await timed(async () => {
      const point = await app.get(PricesService).set('BTC', '30000');
      await app.get(RiskSweeps).sweep(`price-${point.pointId}`, true);
    });
    const found = await timed(() => app.get(RiskSweepService).accountsToReview());
    const liquidated = await prisma.ledgerTransaction.count({ where: { type: 'liquidation' } });
    const expected = Math.floor(LOANS / 10);
    if (liquidated !== expected) throw new Error(`expected ${expected} liquidations, found ${liquidated}`);
    const check = await app.get(LedgerCheckService).check();
    if (!check.balanced) throw new Error(`ledger not balanced: ${JSON.stringify(check.mismatches.slice(0, 3))}`);
    return { workers, loans: LOANS, liquidated, crashMs: crash.ms, findMs: found.ms };
  } finally {
    for (const worker of extra) await worker.stop();
    await app.close();
  }
}

export function reportLiquidation(results: LiquidationFigures[]): string[] {
  return [
    '## Liquidation after a crash',
    '',
    '| worker processes | loans | liquidated | price update → every liquidation posted | baseline: one SQL statement finding those accounts |',
    '|---:|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.workers} | ${r.loans.toLocaleString('en')} | ${r.liquidated.toLocaleString('en')} | ${fmt(r.crashMs)} | ${fmt(r.findMs)} |`),
    '',
    'Target: under 10 s with two worker processes.',
  ];
}

if (process.argv[1]?.endsWith('liquidation.js')) {
  const services = await startBenchServices();
  try {
    const results = [await measureLiquidation(services, 1), await measureLiquidation(services, 2)];
    process.stdout.write(reportLiquidation(results).join('\n') + '\n');
  } finally {
    await services.stop();
  }
}
