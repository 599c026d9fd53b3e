import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { MarketsRepository } from '../../src/markets/markets.repository.js';

/**
 * A market's lock is what every money movement waits on: once it is granted, the market read
 * with it must be the one its previous holder committed, lanes included (a lock and a
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

  it("shares a movement's lock with other movements, and excludes the writers' lock (market_lock) from both", async () => {
    // The fast movements hold the market's advisory lock shared (money_begin); whatever takes the
    // market exclusive (MarketsRepository.lock, liquidations, settings) waits for them, and they for it.
    const pool = app.get(PrismaService).pool;
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    const refused = async (client: (typeof clients)[number], sql: string) =>
      client.query(sql).then(
        () => 'granted',
        (error: { code?: string }) => (error.code === '55P03' ? 'refused' : `failed ${error.code}`),
      );
    try {
      for (const client of clients) await client.query("BEGIN; SET LOCAL lock_timeout = '150ms'");
      await clients[0].query("SELECT market_lock_shared('BTC')");
      expect(await refused(clients[1], "SELECT market_lock_shared('BTC')")).toBe('granted');
      expect(await refused(clients[2], "SELECT * FROM market_lock(ARRAY['BTC'])")).toBe('refused');
      for (const client of clients) await client.query('ROLLBACK');
      for (const client of clients) await client.query("BEGIN; SET LOCAL lock_timeout = '150ms'");
      expect((await clients[0].query("SELECT * FROM market_lock(ARRAY['ETH', 'BTC'])")).rows).toEqual([
        { asset: 'BTC', index_day: expect.any(String) },
        { asset: 'ETH', index_day: expect.any(String) },
      ]);
      expect(await refused(clients[1], "SELECT market_lock_shared('ETH')")).toBe('refused');
      expect(await refused(clients[2], "SELECT market_lock_shared('USDC')")).toBe('granted');
    } finally {
      for (const client of clients) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    }
  });

  it("is taken by money_begin itself, with market_lock_key's key, after the account's lock", async () => {
    // money_begin calls pg_advisory_xact_lock_shared itself (no nested function): its key must be
    // the one market_lock takes exclusive, or a writer would not wait for the movements in flight.
    const { accountId } = await createUser(app, 'lock-holder');
    const pool = app.get(PrismaService).pool;
    const clients = await Promise.all([pool.connect(), pool.connect(), pool.connect()]);
    const refused = async (client: (typeof clients)[number], sql: string) =>
      client.query(sql).then(
        () => 'granted',
        (error: { code?: string }) => (error.code === '55P03' ? 'refused' : `failed ${error.code}`),
      );
    const begin = (asset: string) =>
      `SELECT money_begin('admin', NULL, NULL, now(), '${accountId}'::uuid, NULL, NULL, NULL, '${asset}', 'market:cash', false) AS state`;
    try {
      for (const client of clients) await client.query("BEGIN; SET LOCAL lock_timeout = '150ms'");
      // The account in the gold tier, whose BTC lane has an index no other lane has (all in this
      // transaction, rolled back): money_begin reads the account's own lane of the market.
      await clients[0].query(`UPDATE accounts SET tier = 'gold' WHERE id = $1`, [accountId]);
      await clients[0].query(`UPDATE market_lanes SET supply_index = 1.25, borrow_index = 1.5 WHERE asset = 'BTC' AND tier = 'gold'`);
      const [{ state }] = (await clients[0].query(begin('BTC'))).rows;
      const [market] = (
        await clients[0].query(`SELECT to_char(index_day, 'YYYY-MM-DD') AS day, supply_apr::text AS supply, borrow_apr::text AS borrow FROM markets WHERE asset = 'BTC'`)
      ).rows;
      expect(state).toMatchObject({ outcome: 'ready', asset: 'BTC', tier: 'gold' });
      expect(state.lane).toEqual([market.day, market.supply, market.borrow, expect.stringMatching(/^1\.250*$/), expect.stringMatching(/^1\.50*$/)]);
      expect(await refused(clients[1], "SELECT * FROM market_lock(ARRAY['BTC'])")).toBe('refused');
      expect(await refused(clients[2], "SELECT market_lock_shared('BTC')")).toBe('granted');
      // The account is locked before the market: a second movement of the account waits for it.
      expect(await refused(clients[2], begin('ETH'))).toBe('refused');
    } finally {
      for (const client of clients) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    }
  });
});
