import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { MarketsRepository } from '../../src/markets/markets.repository.js';

/**
 * A market's lock is what every money movement waits on: once it is granted, the market read
 * with it must be the one its previous holder committed, lanes included (a row lock and a
 * subquery in one statement would give the new row with the old lanes).
 */
describe('the market lock', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('hands the waiter the lanes as the holder committed them', async () => {
    const prisma = app.get(PrismaService);
    const markets = app.get(MarketsRepository);
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const holder = prisma.$transaction(async (tx) => {
      await markets.lock(tx, 'BTC');
      await tx.$executeRaw`UPDATE market_lanes SET total_supply_scaled = total_supply_scaled + 7 WHERE asset = 'BTC' AND tier = 'gold'`;
      locked();
      await holding;
    });
    await lockTaken;
    const waiter = prisma.$transaction((tx) => markets.lock(tx, 'BTC'));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the waiter is now blocked on the row
    release();
    await holder;
    const seen = await waiter;
    expect(seen.lanes.gold.totalSupplyScaled.toFixed()).toBe('7');
  });
});
