import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { QUEUES } from '../src/queues/queue-names.js';
import type * as Services from '../scripts/lib/services.mjs';
import { applyMigrations } from '../scripts/lib/migrate.mjs';
import type * as LendLabProcesses from '../scripts/lib/lendlab-process.mjs';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { createWorkerContext } from '../src/bootstrap/create-app.js';
import { JsonLogger } from '../src/common/logging/json-logger.js';

// Compiled to dist/bench/: the project is two folders up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The same service starters the sandbox and the tests use (plain .mjs, not compiled; the migrator,
// imported above, is compiled beside dist/bench by tsconfig.build.json).
const { ensureDatabase, freePort, startEmbeddedPostgres, startRedis }: typeof Services = await import(
  pathToFileURL(path.join(root, 'scripts', 'lib', 'services.mjs')).href
);
const { NODE_FLAGS, API_NODE_FLAGS }: { NODE_FLAGS: string[]; API_NODE_FLAGS: string[] } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'node-flags.mjs')).href);
const { startLendLabProcess: startProcess }: typeof LendLabProcesses = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'lendlab-process.mjs')).href);

export type LendLabProcess = LendLabProcesses.LendLabProcess;

export const BENCH_ADMIN_KEY = 'bench-admin-key-0123456789';

export interface BenchServices {
  postgresUrl: string;
  redisUrl: string;
  /** The postmaster's process id (its backends are its children). */
  postgresPid(): number;
  redisPid(): number;
  stop(): Promise<void>;
}

/** A throw-away Postgres (durability off, as in the tests) and Redis for one benchmark run. */
export async function startBenchServices(): Promise<BenchServices> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-bench-'));
  chmodSync(workDir, 0o755);
  const dataDir = path.join(workDir, 'postgres');
  // BENCH_PG_STATEMENTS=1: pg_stat_statements loaded, nested statements (inside plpgsql) counted too.
  const flags = process.env.BENCH_PG_STATEMENTS ? ['-c', 'shared_preload_libraries=pg_stat_statements', '-c', 'pg_stat_statements.track=all', '-c', 'pg_stat_statements.track_planning=on'] : [];
  if (process.env.BENCH_PG_FLAGS) flags.push(...process.env.BENCH_PG_FLAGS.split(' ').flatMap((flag) => ['-c', flag]));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, fast: true, flags, log: process.env.BENCH_AUTO_EXPLAIN ? (line: string) => process.stderr.write(`[pg] ${line}\n`) : undefined });
  // BENCH_AUTO_EXPLAIN=250ms: every statement slower than that is logged with its plan (stderr, "[pg]").
  if (process.env.BENCH_AUTO_EXPLAIN) {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    await client.query(`ALTER SYSTEM SET session_preload_libraries = 'auto_explain'`);
    await client.query(`ALTER SYSTEM SET auto_explain.log_min_duration = '${process.env.BENCH_AUTO_EXPLAIN}'`);
    await client.query(`ALTER SYSTEM SET auto_explain.log_analyze = on`);
    await client.query(`ALTER SYSTEM SET auto_explain.log_nested_statements = on`);
    await client.query(`SELECT pg_reload_conf()`);
    await client.end();
  }
  const redis = await startRedis({ port: await freePort(), dir: path.join(workDir, 'redis') });
  return {
    postgresUrl: postgres.url,
    redisUrl: redis.url,
    postgresPid: () => Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]),
    redisPid: () => redis.child.pid!,
    stop: async () => {
      await redis.stop();
      await postgres.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A migrated database of its own on the bench's Postgres; returns its URL. */
export async function benchDatabase(services: BenchServices, name: string): Promise<string> {
  const databaseUrl = await ensureDatabase(services.postgresUrl, `bench_${name}_${randomBytes(3).toString('hex')}`);
  await applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'));
  return databaseUrl;
}

/** A migrated database of its own and the application (workers included) on it, in this process. */
export async function startBenchApp(
  services: BenchServices,
  name: string,
): Promise<{ app: INestApplicationContext; databaseUrl: string; config: AppConfig }> {
  const databaseUrl = await benchDatabase(services, name);
  const config = benchConfig(services, databaseUrl, `bench${randomBytes(4).toString('hex')}`);
  return { app: await createWorkerContext(config, { logger: new JsonLogger((process.env.BENCH_LOG_LEVEL ?? 'error') as 'error') }), databaseUrl, config };
}

/**
 * LendLab as a process of its own, with the flags every LendLab process gets: `worker` is
 * `dist/src/worker.js`; `api` is `dist/src/main.js` serving HTTP only (its workers off, so
 * that its memory and CPU are the API's). Resolves once it is ready: a worker when its risk
 * workers are connected to Redis, the API when /health answers.
 */
export async function startLendLabProcess(
  kind: 'api' | 'worker',
  services: BenchServices,
  databaseUrl: string,
  queuePrefix: string,
  // `build`: another checkout's dist/ and `nodeFlags` its flags (the memory bench's baseline); this one's by default.
  { build = root, nodeFlags }: { build?: string; nodeFlags?: string[] } = {},
): Promise<LendLabProcess> {
  const port = kind === 'api' ? await freePort() : undefined;
  // BENCH_NODE_FLAGS adds flags to LendLab's processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where time goes.
  const extraFlags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  return startProcess({
    script: path.join(build, 'dist', 'src', kind === 'api' ? 'main.js' : 'worker.js'),
    nodeFlags: [...(nodeFlags ?? (kind === 'api' ? API_NODE_FLAGS : NODE_FLAGS)), ...extraFlags],
    env: {
      ...process.env,
      ...benchEnv(services, databaseUrl, queuePrefix),
      ...(port ? { PORT: String(port), HOST: '127.0.0.1', RUN_WORKERS: 'false' } : {}),
    },
    redisUrl: services.redisUrl,
    queuePrefix,
    readyQueue: port ? undefined : QUEUES.riskAccount,
    port,
  });
}

function benchEnv(services: BenchServices, databaseUrl: string, queuePrefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: services.redisUrl,
    ADMIN_API_KEY: BENCH_ADMIN_KEY,
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
}

export function benchConfig(services: BenchServices, databaseUrl: string, queuePrefix: string): AppConfig {
  return loadConfig(benchEnv(services, databaseUrl, queuePrefix));
}

export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = process.hrtime.bigint();
  const result = await work();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
