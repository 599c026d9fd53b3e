import type { INestApplication } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Queue } from 'bullmq';
import { ALL_QUEUES } from '../queues/queue-names.js';
import { sameKey } from '../common/auth/api-key.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/** The admin key as a Bearer token, or as the password of HTTP Basic auth (so a browser can log in). */
function adminOnly(adminKey: string) {
  return (request: Request, response: Response, next: NextFunction) => {
    const header = request.headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(header)?.[1];
    const basic = /^Basic (.+)$/.exec(header)?.[1];
    const password = basic ? Buffer.from(basic, 'base64').toString('utf8').split(':').slice(1).join(':') : undefined;
    const presented = bearer ?? password;
    if (presented !== undefined && sameKey(presented, adminKey)) return next();
    response.setHeader('WWW-Authenticate', 'Basic realm="LendLab queues (password: the admin key)"');
    response.status(401).json({ statusCode: 401, code: 'UNAUTHENTICATED', message: 'The queue dashboard needs the admin key', details: {} });
  };
}

/**
 * Bull Board over every queue, for the admin. Loaded on the first authenticated request, not at
 * start: Bull Board and its UI packages cost the API about 15 MiB resident for a page an admin
 * opens now and then (bench/memory-at-rest.ts).
 */
export function setupQueueDashboard(app: INestApplication, adminKey: string): void {
  let dashboard: Promise<RequestHandler> | undefined;
  const router = () =>
    (dashboard ??= queueDashboard(app).catch((error: unknown) => {
      dashboard = undefined; // not cached: the next request tries again
      throw error;
    }));
  app.use(QUEUE_DASHBOARD_PATH, adminOnly(adminKey), (request: Request, response: Response, next: NextFunction) => {
    router().then((handler) => handler(request, response, next), next);
  });
}

async function queueDashboard(app: INestApplication): Promise<RequestHandler> {
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: ALL_QUEUES.map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)))),
    serverAdapter,
  });
  return serverAdapter.getRouter() as RequestHandler;
}
