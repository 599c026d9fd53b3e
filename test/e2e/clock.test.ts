import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { DayStartHooks } from '../../src/clock/day-start.hooks.js';
import { ClockService } from '../../src/clock/clock.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

describe('simulated clock', () => {
  let app: TestApp;
  const seen: string[] = [];
  let failOn: string | undefined;

  beforeAll(async () => {
    app = await startTestApp();
    const hooks = app.get(DayStartHooks);
    // Registered out of order on purpose: the steps run in the order of the day's pipeline.
    hooks.register({ step: 'risk sweep', run: async (day) => void seen.push(`second ${day.date}`) });
    hooks.register({
      step: 'accrual',
      run: async (day) => {
        if (day.date === failOn) throw new Error(`boom on ${day.date}`);
        seen.push(`first ${day.date} ${day.at.toISOString()}`);
      },
    });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts at 2026-01-01T00:00:00Z and answers any key', async () => {
    const response = await app.admin.get('/v1/clock').expect(200);
    expect(response.body).toEqual({ now: '2026-01-01T00:00:00.000Z', mode: 'simulated' });
  });

  it('crosses each 00:00 UTC boundary in order, running every day-start handler in order', async () => {
    seen.length = 0;
    const response = await app.admin.post('/v1/clock/advance').send({ days: 2 }).expect(200);
    expect(response.body).toEqual({ now: '2026-01-03T00:00:00.000Z', daysAccrued: 2 });
    expect(seen).toEqual([
      'first 2026-01-02 2026-01-02T00:00:00.000Z',
      'second 2026-01-02',
      'first 2026-01-03 2026-01-03T00:00:00.000Z',
      'second 2026-01-03',
    ]);
  });

  it('moves by hours, counting only the boundaries crossed', async () => {
    seen.length = 0;
    expect((await app.admin.post('/v1/clock/advance').send({ hours: 11 }).expect(200)).body).toEqual({
      now: '2026-01-03T11:00:00.000Z',
      daysAccrued: 0,
    });
    expect((await app.admin.post('/v1/clock/advance').send({ hours: 37 }).expect(200)).body).toEqual({
      now: '2026-01-05T00:00:00.000Z',
      daysAccrued: 2,
    });
    expect(seen.filter((s) => s.startsWith('first'))).toEqual([
      'first 2026-01-04 2026-01-04T00:00:00.000Z',
      'first 2026-01-05 2026-01-05T00:00:00.000Z',
    ]);
  });

  it.each([[{}], [{ days: 0 }], [{ days: 3651 }], [{ days: 1.5 }], [{ days: '1' }], [{ days: 1, hours: 1 }], [{ hours: 87601 }], [{ weeks: 1 }]])(
    'refuses %p and does not move',
    async (body) => {
      const before = (await app.admin.get('/v1/clock')).body.now;
      const response = await app.admin.post('/v1/clock/advance').send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect((await app.admin.get('/v1/clock')).body.now).toBe(before);
    },
  );

  it('runs a day again after its work failed, and never a finished day twice', async () => {
    seen.length = 0;
    failOn = '2026-01-07';
    await app.admin.post('/v1/clock/advance').send({ days: 5 }).expect(500);
    // The clock stopped at the boundary whose work failed; earlier days are done.
    expect((await app.admin.get('/v1/clock')).body.now).toBe('2026-01-07T00:00:00.000Z');
    const state = await app.get(PrismaService).clockState.findUniqueOrThrow({ where: { id: 1 } });
    expect(state.dayStartedThrough.toISOString().slice(0, 10)).toBe('2026-01-06');

    failOn = undefined;
    const resumed = await app.admin.post('/v1/clock/advance').send({ days: 1 }).expect(200);
    expect(resumed.body).toEqual({ now: '2026-01-08T00:00:00.000Z', daysAccrued: 1 });
    expect(seen.filter((s) => s.startsWith('first')).map((s) => s.split(' ')[1])).toEqual([
      '2026-01-06',
      '2026-01-07',
      '2026-01-08',
    ]);
  });

  it('serialises concurrent advances: every day starts exactly once', async () => {
    seen.length = 0;
    const results = await Promise.all([
      app.admin.post('/v1/clock/advance').send({ days: 3 }),
      app.admin.post('/v1/clock/advance').send({ days: 2 }),
      app.get(ClockService).catchUp(),
    ]);
    expect(results[0].status).toBe(200);
    expect(results[1].status).toBe(200);
    expect((await app.admin.get('/v1/clock')).body.now).toBe('2026-01-13T00:00:00.000Z');
    const days = seen.filter((s) => s.startsWith('first')).map((s) => s.split(' ')[1]);
    expect(days).toEqual(['2026-01-09', '2026-01-10', '2026-01-11', '2026-01-12', '2026-01-13']);
  });
});

describe('real-time clock', () => {
  let app: TestApp;
  beforeAll(async () => {
    const threeDaysAgo = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    app = await startTestApp({ CLOCK_MODE: 'realtime', CLOCK_START: `${threeDaysAgo}T12:00:00Z` });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('follows the machine and refuses to be advanced', async () => {
    const before = Date.now();
    const response = await app.admin.get('/v1/clock').expect(200);
    expect(response.body.mode).toBe('realtime');
    expect(Date.parse(response.body.now)).toBeGreaterThanOrEqual(before - 1000);
    const refused = await app.admin.post('/v1/clock/advance').send({ days: 1 }).expect(409);
    expect(refused.body.code).toBe('CLOCK_NOT_SIMULATED');
  });

  it('catches up every day since the stored clock, as the tick does', async () => {
    const prisma = app.get(PrismaService);
    // The worker's boot tick may already have caught up: together they ran each day once.
    const ran = await app.get(ClockService).catchUp();
    const stored = await prisma.clockState.findUniqueOrThrow({ where: { id: 1 } });
    expect(stored.dayStartedThrough.toISOString().slice(0, 10)).toBe(new Date().toISOString().slice(0, 10));
    expect(ran).toBeLessThanOrEqual(3);
    expect(await app.get(ClockService).catchUp()).toBe(0);
  });
});
