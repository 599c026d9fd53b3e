import { spawn, ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { Queue } from 'bullmq';
import request from 'supertest';
import { QUEUES } from '../../src/queues/queue-names.js';
import { ADMIN_KEY, TestApp } from './test-app.js';

export interface AppProcess {
  /** The process's own API (main.js only). */
  admin?: { put(path: string): request.Test; post(path: string): request.Test };
  /** The process's own API, `http://127.0.0.1:<port>` (main.js only). */
  url?: string;
  /** Sends a signal and waits for the process to be gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** What the process wrote to stderr, for a failing test's message. */
  errors(): string;
}

/**
 * LendLab as a real operating-system process beside a test's app, on its database and queues:
 * `worker` runs workers only (worker.js), `api` the API with its workers (main.js). From the
 * sources compiled by the global setup (test/setup/build-app.mjs). Resolves once its risk
 * workers listen (and, for `api`, once /health answers).
 */
export async function startAppProcess(app: TestApp, kind: 'worker' | 'api'): Promise<AppProcess> {
  const dir = process.env.LENDLAB_TEST_APP_DIR;
  if (!dir) throw new Error('LENDLAB_TEST_APP_DIR is not set: run the tests with npm test');
  const port = kind === 'api' ? await freePort() : undefined;
  const queue = new Queue(QUEUES.riskAccount, { connection: { url: app.config.redisUrl }, prefix: app.config.queuePrefix });
  const workersBefore = await queue.getWorkersCount();
  const child = spawn(process.execPath, ['--enable-source-maps', path.join(dir, kind === 'api' ? 'main.js' : 'worker.js')], {
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: app.databaseUrl,
      REDIS_URL: app.config.redisUrl,
      QUEUE_PREFIX: app.config.queuePrefix,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'error',
      ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : {}),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await until(async () => (await queue.getWorkersCount()) > workersBefore, child, () => stderr);
    if (port) await until(async () => (await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.status === 200, child, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  } finally {
    await queue.close();
  }
  const server = `http://127.0.0.1:${port}`;
  return {
    admin: port
      ? {
          put: (p) => request(server).put(p).set('Authorization', `Bearer ${ADMIN_KEY}`),
          post: (p) => request(server).post(p).set('Authorization', `Bearer ${ADMIN_KEY}`),
        }
      : undefined,
    url: port ? server : undefined,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    errors: () => stderr,
  };
}

async function until(ready: () => Promise<boolean>, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await ready())) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}: ${stderr()}`);
    if (Date.now() > deadline) throw new Error(`the process was not ready in 30 s: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
