import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { AppProcess, startAppProcess } from '../support/app-process.js';
import { buildSmallWorld } from '../support/small-world.js';
import { world } from '../support/world.js';
import { queuesIdle } from '../support/stalled-jobs.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { QUEUES } from '../../src/queues/queue-names.js';

const BORROWERS = 6;

/**
 * Two API processes and two worker processes on one database and one set of queues (the test's
 * own app only builds the world and looks: RUN_WORKERS=false). Advances through both APIs at
 * once run each market's day once; a crash price sent through both at once liquidates each
 * account once.
 */
describe('two API processes and two worker processes', () => {
  let app: TestApp;
  const apis: AppProcess[] = [];
  const workers: AppProcess[] = [];

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
    for (const kind of ['api', 'api', 'worker', 'worker'] as const) (kind === 'api' ? apis : workers).push(await startAppProcess(app, kind));
  }, 180_000); // four Node processes starting on two busy cores
  afterAll(async () => {
    for (const p of [...apis, ...workers]) await p.kill('SIGKILL');
    await app?.close();
  });

  it('runs each market’s day once and liquidates each account once', async () => {
    const w = world(app);
    const prisma = app.get(PrismaService);
    await buildSmallWorld(app);
    const borrowers = [];
    for (let i = 0; i < BORROWERS; i += 1) {
      const user = await w.user(`borrower ${i}`);
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      await w.borrow(user.apiKey, user.accountId, 'USDC', '25000'); // LTV 0.5; liquidated at 30,000
      borrowers.push(user);
    }

    // 2 + 1 + 2 days through the two APIs at once: the clock serialises them, every day runs once.
    const advances = await Promise.all([
      apis[0].admin!.post('/v1/clock/advance').send({ days: 2 }),
      apis[1].admin!.post('/v1/clock/advance').send({ days: 1 }),
      apis[1].admin!.post('/v1/clock/advance').send({ days: 2 }),
    ]);
    expect(advances.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(advances.reduce((days, r) => days + r.body.daysAccrued, 0)).toBe(5);
    expect((await app.admin.get('/v1/clock').expect(200)).body.now).toBe('2026-01-06T00:00:00.000Z');
    const days = await prisma.$queryRaw<{ asset: string; date: string; closed: number; interest: number }[]>`
      SELECT d.asset, d.date::text AS date, count(*)::int AS closed,
             (SELECT count(*)::int FROM ledger_transactions t
              WHERE t.type = 'interest' AND t.metadata->>'asset' = d.asset AND t.metadata->>'date' = d.date::text) AS interest
      FROM market_days d GROUP BY d.asset, d.date ORDER BY d.date, d.asset`;
    expect(days).toHaveLength(6 * 5);
    for (const day of days) {
      // Markets lent and borrowed have interest every day after the first (whose rates were set before any loan).
      const interest = ['BTC', 'SOL', 'USDC', 'USDT'].includes(day.asset) && day.date > '2026-01-01' ? 1 : Math.min(day.interest, 1);
      expect(day).toEqual({ ...day, closed: 1, interest });
    }

    // The crash price, twenty times through both APIs at once, then once more waiting for the reviews.
    await Promise.all(Array.from({ length: 20 }, (_, i) => apis[i % 2].admin!.put('/v1/prices/BTC').send({ price: '30000' }).expect(200)));
    await apis[0].admin!.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200);
    await queuesIdle(app, [QUEUES.riskSweep, QUEUES.riskAccount]);
    for (const user of borrowers) {
      const [row] = await prisma.$queryRaw<{ postings: number; notices: number }[]>`
        SELECT (SELECT count(*)::int FROM ledger_transactions WHERE account_id = ${user.accountId}::uuid AND type = 'liquidation') AS postings,
               (SELECT count(*)::int FROM notifications WHERE account_id = ${user.accountId}::uuid AND type = 'liquidation') AS notices`;
      expect({ user: user.accountId, ...row }).toEqual({ user: user.accountId, postings: 1, notices: 1 });
      expect((await w.account(user.apiKey, user.accountId)).status).toBe('healthy');
    }
    expect(await prisma.ledgerTransaction.count({ where: { type: 'liquidation' } })).toBe(BORROWERS);
    await w.assertBalanced();
  }, 80_000);
});
