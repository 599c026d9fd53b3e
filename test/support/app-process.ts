import path from 'node:path';
import request from 'supertest';
import { freePort } from '../../scripts/lib/services.mjs';
import { startLendLabProcess } from '../../scripts/lib/lendlab-process.mjs';
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
  const started = await startLendLabProcess({
    script: path.join(dir, kind === 'api' ? 'main.js' : 'worker.js'),
    nodeFlags: ['--enable-source-maps'],
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: app.databaseUrl,
      REDIS_URL: app.config.redisUrl,
      QUEUE_PREFIX: app.config.queuePrefix,
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'error',
      ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : {}),
    },
    redisUrl: app.config.redisUrl,
    queuePrefix: app.config.queuePrefix,
    readyQueue: QUEUES.riskAccount,
    port,
    captureStderr: true,
    // A loaded two-core machine (tests in parallel) has been seen to take over 30 s to start a process.
    timeoutMs: 90_000,
  });
  const server = started.url;
  return {
    admin: server
      ? {
          put: (p) => request(server).put(p).set('Authorization', `Bearer ${ADMIN_KEY}`),
          post: (p) => request(server).post(p).set('Authorization', `Bearer ${ADMIN_KEY}`),
        }
      : undefined,
    url: server,
    kill: (signal) => started.stop(signal),
    errors: () => started.stderr(),
  };
}
