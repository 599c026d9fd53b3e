import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES } from '../src/queues/queue-names.js';
import type * as Services from '../scripts/lib/services.mjs';
import type * as Migrate from '../scripts/lib/migrate.mjs';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { createWorkerContext } from '../src/bootstrap/create-app.js';
import { JsonLogger } from '../src/common/logging/json-logger.js';

// Compiled to dist/bench/: the project is two folders up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The same service starters and migrator the sandbox and the tests use (plain .mjs, not compiled).
const { ensureDatabase, freePort, startEmbeddedPostgres, startRedis }: typeof Services = await import(
  pathToFileURL(path.join(root, 'scripts', 'lib', 'services.mjs')).href
);
const { NODE_FLAGS }: { NODE_FLAGS: string[] } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'node-flags.mjs')).href);
const { applyMigrations }: typeof Migrate = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'migrate.mjs')).href);

export interface BenchServices {
  postgresUrl: string;
  redisUrl: string;
  stop(): Promise<void>;
}

/** A throw-away Postgres (durability off, as in the tests) and Redis for one benchmark run. */
export async function startBenchServices(): Promise<BenchServices> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-bench-'));
  chmodSync(workDir, 0o755);
  const postgres = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort(), persistent: false, fast: true });
  const redis = await startRedis({ port: await freePort(), dir: path.join(workDir, 'redis') });
  return {
    postgresUrl: postgres.url,
    redisUrl: redis.url,
    stop: async () => {
      await redis.stop();
      await postgres.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** A migrated database of its own and the application (workers included) on it. */
export async function startBenchApp(
  services: BenchServices,
  name: string,
): Promise<{ app: INestApplicationContext; databaseUrl: string; config: AppConfig }> {
  const databaseUrl = await ensureDatabase(services.postgresUrl, `bench_${name}_${randomBytes(3).toString('hex')}`);
  await applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'));
  const config = benchConfig(services, databaseUrl, `bench${randomBytes(4).toString('hex')}`);
  return { app: await createWorkerContext(config, { logger: new JsonLogger('error') }), databaseUrl, config };
}

/**
 * A second worker: a process of its own (`dist/src/worker.js`, with the flags every LendLab
 * process gets), on the same database and queues. Resolves once its risk workers are
 * connected to Redis, so that the measured run starts with both workers listening.
 */
export async function startWorkerProcess(services: BenchServices, databaseUrl: string, queuePrefix: string): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'dist', 'src', 'worker.js')], {
    env: { ...process.env, ...benchEnv(services, databaseUrl, queuePrefix) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const queue = new Queue(QUEUES.riskAccount, { connection: { url: services.redisUrl }, prefix: queuePrefix });
  try {
    const deadline = Date.now() + 60_000;
    while ((await queue.getWorkersCount()) < 2) {
      if (child.exitCode !== null) throw new Error(`the worker process exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error('the worker process did not connect in 60 s');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await queue.close();
  }
  return {
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function benchEnv(services: BenchServices, databaseUrl: string, queuePrefix: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    REDIS_URL: services.redisUrl,
    ADMIN_API_KEY: 'bench-admin-key-0123456789',
    QUEUE_PREFIX: queuePrefix,
    LOG_LEVEL: 'error',
  };
}

function benchConfig(services: BenchServices, databaseUrl: string, queuePrefix: string): AppConfig {
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
