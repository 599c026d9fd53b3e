import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as Services from '../scripts/lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { ensureDatabase, ensurePgbench }: typeof Services = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'services.mjs')).href);

/** pgbench's rule of thumb: at least as many branches (the hot rows of TPC-B) as clients. */
export const PGBENCH_SCALE = 32;

export interface PgbenchFigures {
  tps: number;
  transactions: number;
  p50Ms: number;
  p99Ms: number;
}

const initialised = new Map<string, Promise<NodeJS.ProcessEnv>>();

/** The environment that points pgbench at a database of its own on the bench's Postgres, initialised once. */
function pgbenchDatabase(postgresUrl: string): Promise<NodeJS.ProcessEnv> {
  let ready = initialised.get(postgresUrl);
  if (!ready) {
    ready = (async () => {
      const url = new URL(await ensureDatabase(postgresUrl, 'pgbench'));
      const env = {
        ...process.env,
        PGHOST: url.hostname,
        PGPORT: url.port,
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password),
        PGDATABASE: url.pathname.slice(1),
      };
      run(['-i', '-q', '-s', String(PGBENCH_SCALE)], env);
      return env;
    })();
    initialised.set(postgresUrl, ready);
  }
  return ready;
}

function run(args: string[], env: NodeJS.ProcessEnv): string {
  const result = spawnSync(ensurePgbench((line) => process.stderr.write(`[bench] ${line}\n`)), args, { env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pgbench ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/**
 * pgbench's built-in TPC-B-like transaction (-b tpcb-like) at `clients` connections for
 * `seconds`, with a per-transaction log so that its p50/p99 are computed the same way as the
 * API's. Threads: as many as clients, up to the machine's cores.
 */
export async function runPgbench(postgresUrl: string, clients: number, seconds: number): Promise<PgbenchFigures> {
  const env = await pgbenchDatabase(postgresUrl);
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-pgbench-'));
  try {
    const threads = Math.min(clients, os.cpus().length);
    const output = run(['-n', '-b', 'tpcb-like', '-c', String(clients), '-j', String(threads), '-T', String(seconds), '-l', `--log-prefix=${path.join(logDir, 'tx')}`], env);
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(output);
    if (!tps) throw new Error(`no tps in pgbench's output:\n${output}`);
    // Each log line: client_id transaction_no latency_us script_no epoch epoch_us.
    const latencies = readdirSync(logDir)
      .flatMap((file) => readFileSync(path.join(logDir, file), 'utf8').split('\n'))
      .filter((line) => line.trim())
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b);
    if (!latencies.length) throw new Error('pgbench logged no transaction');
    return { tps: Number(tps[1]), transactions: latencies.length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
