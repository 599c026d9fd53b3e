import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort, startRedis } from '../../scripts/lib/services.mjs';
import { startTestApp, TestApp } from '../support/test-app.js';
import { buildSmallWorld } from '../support/small-world.js';
import { world } from '../support/world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { SchedulerRegistry } from '@nestjs/schedule';
import { Queue } from 'bullmq';
import { QUEUES } from '../../src/queues/queue-names.js';
import { ClockTickScheduler } from '../../src/clock/clock-tick.processor.js';

const BORROWED = ['BTC', 'SOL', 'USDC', 'USDT'];
const FIRST_DAY = '2026-01-01';

type Redis = Awaited<ReturnType<typeof startRedis>>;

/**
 * Redis restarted while `POST /v1/clock/advance` crosses several days. The test has a Redis of
 * its own (the suite's is shared by every file), started as the sandbox starts it: no
 * persistence, so a restart loses every queue, job and event stream: Postgres must be enough
 * to finish the work, once.
 */
describe('Redis restarted during a clock advance', () => {
  let app: TestApp;
  let redis: Redis | undefined;
  let port: number;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-redis-restart-'));

  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis({ port, dir });
    app = await startTestApp({ REDIS_URL: redis.url });
    await buildSmallWorld(app);
  });
  afterAll(async () => {
    await app?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const days = () =>
    app.get(PrismaService).$queryRaw<{ asset: string; date: string; closed: number; interest: number }[]>`
      SELECT d.asset, d.date::text AS date, count(*)::int AS closed,
             (SELECT count(*)::int FROM ledger_transactions t
              WHERE t.type = 'interest' AND t.metadata->>'asset' = d.asset AND t.metadata->>'date' = d.date::text) AS interest
      FROM market_days d GROUP BY d.asset, d.date ORDER BY d.date, d.asset`;

  /**
   * Each market closed once a day; interest posted at most once, and once a day in the markets
   * borrowed from (on the first day their rates were still those of 00:00, before any loan).
   */
  const expectOnce = (closed: { asset: string; date: string; closed: number; interest: number }[]) => {
    for (const day of closed) {
      expect(day).toEqual({ ...day, closed: 1, interest: BORROWED.includes(day.asset) && day.date > FIRST_DAY ? 1 : day.interest });
      expect(day.interest).toBeLessThanOrEqual(1);
    }
  };

  it('finishes the advance with every market closed once a day and interest posted once, and keeps the schedule', async () => {
    const prisma = app.get(PrismaService);
    const advancing = app.admin.post('/v1/clock/advance').send({ days: 5 }).then((response) => response);
    // Once the second day has started, Redis goes away for a second and comes back empty.
    for (const deadline = Date.now() + 30_000; ; ) {
      const [state] = await prisma.$queryRaw<{ through: string }[]>`SELECT day_started_through::text AS through FROM clock_state`;
      if (state.through >= '2026-01-03') break;
      if (Date.now() > deadline) throw new Error('the advance did not reach its second day');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await redis!.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    redis = await startRedis({ port, dir });

    const response = await advancing;
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { now: '2026-01-06T00:00:00.000Z', daysAccrued: 5 } });
    const [clock] = await prisma.$queryRaw<{ now: Date; through: string }[]>`SELECT now, day_started_through::text AS through FROM clock_state`;
    expect(clock).toEqual({ now: new Date('2026-01-06T00:00:00Z'), through: '2026-01-06' });
    let closed = await days();
    expect(closed.map((d) => d.date).filter((d, i, all) => all.indexOf(d) === i)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03', '2026-01-04', '2026-01-05']);
    expectOnce(closed);
    expect(closed).toHaveLength(6 * 5);
    await world(app).assertBalanced();

    // The schedule survived: the next advance runs its day like any other, and the health check is green.
    await app.admin.post('/v1/clock/advance').send({ days: 1 }).expect(200, { now: '2026-01-07T00:00:00.000Z', daysAccrued: 1 });
    closed = await days();
    expect(closed.filter((d) => d.date === '2026-01-06')).toHaveLength(6);
    expectOnce(closed);
    await app.api().get('/health').expect(200);

    // The periodic tick (what runs due day starts in real-time mode, and finishes an interrupted
    // advance) is still registered, and a tick fired now reaches the emptied Redis and is worked.
    expect(app.get(SchedulerRegistry).getIntervals()).toContain('clock-tick');
    const ticks = new Queue(QUEUES.clock, { connection: { url: redis!.url }, prefix: app.config.queuePrefix });
    try {
      const before = await ticks.getCompletedCount();
      await app.get(ClockTickScheduler).tick();
      for (const deadline = Date.now() + 20_000; (await ticks.getCompletedCount()) <= before; ) {
        if (Date.now() > deadline) throw new Error(`no tick was worked after the restart: ${JSON.stringify(await ticks.getJobCounts())}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await ticks.close();
    }
  }, 80_000);
});
