import { afterAll, beforeAll } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from './test-app.js';
import { AppProcess, startAppProcess } from './app-process.js';

/**
 * Holds a ledger row (FOR UPDATE) until released, and waits for a transaction of another
 * process that has written and now waits for that row: a worker stopped mid-transaction.
 */
export async function holdLedgerRow(databaseUrl: string, code: string, asset: string) {
  const holder = new pg.Client({ connectionString: databaseUrl });
  const watcher = new pg.Client({ connectionString: databaseUrl });
  await holder.connect();
  await watcher.connect();
  await holder.query('BEGIN');
  const held = await holder.query('SELECT id FROM ledger_accounts WHERE code = $1 AND asset = $2 FOR UPDATE', [code, asset]);
  if (held.rowCount !== 1) throw new Error(`no ledger account ${code} ${asset}`);
  const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return {
    async untilBlocking(process: AppProcess): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        // (Not from the holder: within a transaction pg_stat_activity is one snapshot.)
        const blocked = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND backend_xid IS NOT NULL AND $1::int = ANY(pg_blocking_pids(pid))`,
          [holderPid],
        );
        if (blocked.rows[0].n > 0) return;
        if (Date.now() > deadline) throw new Error(`no transaction came to wait for ${code} ${asset}: ${process.errors()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async release(): Promise<void> {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end().catch(() => undefined);
      await watcher.end().catch(() => undefined);
    },
  };
}

/**
 * Twin worlds for crash tests: two apps on databases of their own, built alike, serving HTTP
 * only (the work is done by worker processes the test starts, so that it can kill one). One
 * twin runs undisturbed, the other is crashed; the test then compares them. Everything started
 * here is stopped after the file, whatever happened.
 */
export function twinWorlds(build: (app: TestApp) => Promise<void>) {
  const twins = {} as { calm: TestApp; crashed: TestApp };
  const processes: AppProcess[] = [];
  const releases: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    twins.calm = await startTestApp({ RUN_WORKERS: 'false' });
    twins.crashed = await startTestApp({ RUN_WORKERS: 'false' });
    await build(twins.calm);
    await build(twins.crashed);
  });
  afterAll(async () => {
    for (const release of releases) await release();
    for (const p of processes) await p.kill('SIGKILL');
    await twins.calm?.close();
    await twins.crashed?.close();
  });
  return {
    twins,
    startWorker: async (app: TestApp) => {
      const p = await startAppProcess(app, 'worker');
      processes.push(p);
      return p;
    },
    holdLedgerRow: async (app: TestApp, code: string, asset: string) => {
      const held = await holdLedgerRow(app.databaseUrl, code, asset);
      releases.push(held.release);
      return held;
    },
  };
}
