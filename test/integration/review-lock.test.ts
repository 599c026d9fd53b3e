import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { buildCrashWorld } from '../../bench/crash-world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { PricesService } from '../../src/prices/prices.service.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';

const ACCOUNTS = 200; // one in ten owes enough to be liquidated at the crash price

/**
 * The same accounts reviewed by two transactions at once (what two worker processes do when
 * two price updates' sweeps find the same accounts): the account's row lock makes the second
 * see the first's liquidation, so each account is liquidated once, not twice.
 */
describe('two reviews of the same accounts at once', () => {
  let app: TestApp;

  beforeAll(async () => {
    // No workers: the test runs the reviews itself, exactly twice and at the same time.
    app = await startTestApp({ RUN_WORKERS: 'false' });
    await buildCrashWorld(app.get(PrismaService), app.get(PricesService), ACCOUNTS);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('liquidates each account once', async () => {
    const prisma = app.get(PrismaService);
    await app.get(PricesService).set('BTC', '30000');
    const accounts = (await prisma.$queryRaw<{ id: string }[]>`SELECT account_id AS id FROM loans ORDER BY account_id`).map((row) => row.id);
    const reviews = app.get(LiquidationService);
    await Promise.all([reviews.reviewMany(accounts), reviews.reviewMany([...accounts].reverse())]);

    const perAccount = await prisma.$queryRaw<{ account_id: string; n: number }[]>`
      SELECT account_id, count(*)::int AS n FROM ledger_transactions WHERE type = 'liquidation' GROUP BY account_id`;
    expect(perAccount).toHaveLength(ACCOUNTS / 10);
    expect(perAccount.filter((row) => row.n !== 1)).toEqual([]);
    const notices = await prisma.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications WHERE type = 'liquidation'`;
    expect(notices[0].n).toBe(ACCOUNTS / 10);
    await world(app).assertBalanced();
  }, 60_000);
});
