import { NestFactory } from '@nestjs/core';
import type { INestApplication, INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import { AppModule } from '../app.module.js';
import type { OwnApp } from '../scenarios/scenario-app.js';
import { JsonLogger } from '../common/logging/json-logger.js';
import { validationPipe } from './validation.js';
import { applyHttpHardening } from './http-hardening.js';
import { setupDocs } from './docs.js';
import { setupQueueDashboard } from './queue-dashboard.js';
import { requestLogger } from './request-logger.js';
import { serveConsole } from './console.js';

export interface AppOptions {
  logger?: JsonLogger;
  /** A process of its own (main.ts, worker.ts) stops on SIGTERM/SIGINT; an app inside a test does not. */
  ownsProcess?: boolean;
}

/** The HTTP application (and its workers when config.runWorkers), ready to listen. */
export async function createHttpApp(config: AppConfig, options: AppOptions = {}): Promise<INestApplication> {
  const logger = options.logger ?? new JsonLogger(config.logLevel);
  const app = await NestFactory.create(AppModule.forRoot(config, startLocalApp), {
    bodyParser: false,
    logger,
    forceCloseConnections: true,
    abortOnError: false,
  });
  // Below the logger's level (LOG_LEVEL=warn or error, as benchmarks run) no request is listened to or timed.
  if (logger.writes('info')) app.use(requestLogger(logger));
  applyHttpHardening(app, config.bodyLimitBytes);
  app.useGlobalPipes(validationPipe);
  setupDocs(app, config.port || 3000);
  setupQueueDashboard(app, config.adminApiKey);
  serveConsole(app); // the learner's console at / (web/dist)
  if (options.ownsProcess) stopOnSignals(app);
  return app;
}

/**
 * An application of its own on a local port, quiet but for errors: a scenario (POST
 * /v1/scenarios, `npm run scenario`) plays on one as a client, over HTTP.
 */
export async function startLocalApp(config: AppConfig): Promise<OwnApp> {
  const app = await createHttpApp(config, { logger: new JsonLogger('error') });
  await app.listen(0, '127.0.0.1');
  try {
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    return { url, close: () => app.close() };
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * Nest drains HTTP and closes the workers on SIGTERM/SIGINT; closing a worker waits for Redis,
 * which may be gone. A shutdown that takes longer than this ends the process anyway.
 */
const SHUTDOWN_GRACE_MS = 15_000;
function stopOnSignals(app: INestApplicationContext): void {
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`shutdown took over ${SHUTDOWN_GRACE_MS / 1000} s; exiting\n`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
    });
  }
}

/** Workers only: the same modules, no HTTP server. */
export async function createWorkerContext(config: AppConfig, options: AppOptions = {}): Promise<INestApplicationContext> {
  const logger = options.logger ?? new JsonLogger(config.logLevel);
  const context = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, runWorkers: true }), { logger, abortOnError: false });
  if (options.ownsProcess) stopOnSignals(context);
  return context;
}
