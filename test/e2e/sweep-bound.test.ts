import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { RiskSweepService } from '../../src/risk/risk-sweep.service.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';
import { PricesService } from '../../src/prices/prices.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/**
 * Debts that reach their margin-call level through interest alone, over quiet days in which the
 * daily sweep mostly does not value every borrower again (it looks only at those past a level
 * when no holding moved and the day's growth cannot bring anyone else there): each margin call
 * and liquidation must still happen at the very 00:00 the account crosses its level, as the
 * account's own view shows it. USDC at 1,000 % a year: a debt grows about 2.7 % a night.
 */
describe('a daily sweep that skips what cannot have changed', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  const borrowers: { name: string; apiKey: string; accountId: string }[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
    await app.admin.put('/v1/markets/USDC').send({ rateModel: { baseRate: '10' } }).expect(200);
    for (const [name, usdc] of [['near', '24000'], ['middle', '21000'], ['far', '10000']]) {
      const user = await w.user(name);
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      await w.borrow(user.apiKey, user.accountId, 'USDC', usdc);
      borrowers.push({ name, ...user });
    }
  });
  afterAll(async () => {
    await app?.close();
  });

  it('calls each margin and liquidates at the 00:00 the level is crossed, having valued every borrower only on some days', async () => {
    const finder = app.get(RiskSweepService) as unknown as { search(lanes: unknown, only: string[] | null): Promise<unknown> };
    const searches = jest.spyOn(finder, 'search');
    const noticed = new Map<string, string>();
    for (let day = 1; day <= 25; day += 1) {
      if (day === 8) await w.price('BTC', '50500'); // a small rise: a sweep of its own, nobody new past a level
      const { now } = (await w.advance({ days: 1 })).body;
      for (const b of borrowers) {
        const view = await w.account(b.apiKey, b.accountId);
        const notices: { type: string; at: string }[] = (await app.api(b.apiKey).get(`/v1/accounts/${b.accountId}/notifications`).expect(200)).body;
        const calls = notices.filter((n) => n.type === 'margin_call');
        if (view.status !== 'healthy' && !noticed.has(b.name)) {
          // First seen past its level today: today's 00:00 sweep called the margin, not an earlier or later one.
          expect({ borrower: b.name, day, calls: calls.map((n) => n.at) }).toEqual({ borrower: b.name, day, calls: [now] });
          noticed.set(b.name, now);
        }
        if (!noticed.has(b.name)) expect({ borrower: b.name, day, calls }).toEqual({ borrower: b.name, day, calls: [] });
        const liquidations = notices.filter((n) => n.type === 'liquidation');
        // A liquidation brings the account back to its margin-call level: its view is never left at or past the liquidation level.
        expect({ borrower: b.name, day, status: view.status === 'liquidating' }).toEqual({ borrower: b.name, day, status: false });
        if (liquidations.length > 0) expect(liquidations.every((n) => n.at <= now)).toBe(true);
      }
    }
    expect([...noticed.keys()].sort()).toEqual(['middle', 'near']);
    const full = searches.mock.calls.filter(([, only]) => only === null).length;
    const narrowed = searches.mock.calls.length - full;
    // Quiet nights are mostly narrowed; the days a level is crossed (a liquidation moves holdings) are searched in full.
    expect(narrowed).toBeGreaterThan(full);
    await w.assertBalanced();
  }, 300_000);
});

/**
 * An account found firmly settled at its margin call (settled-drift.ts) is left out of the next
 * narrowed searches while the factors have not moved it out of its room. Another process may
 * still have reviewed it meanwhile (here: the price up and back, a review between that sees it
 * healthy again): it must then be valued again, and its new crossing called.
 */
describe('a narrowed search that leaves firmly settled accounts out', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('values such an account again when its risk was reviewed elsewhere since', async () => {
    const finder = app.get(RiskSweepService) as unknown as { search(lanes: unknown, only: string[] | null, top: unknown, firm: { settled: string[]; healthy: string[] } | null): Promise<unknown> };
    const searches = jest.spyOn(finder, 'search');
    const user = await w.user('called');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000');
    const calls = async () =>
      ((await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body as { type: string }[]).filter((n) => n.type === 'margin_call').length;
    const sweptPrice = (price: string) => app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
    await sweptPrice('32000'); // LTV 0.75: past its margin call (0.714), short of liquidation (0.833)
    expect(await calls()).toBe(1);
    await sweptPrice('31800'); // a move beyond the firm room: valued again, and found firmly settled
    // Another process's review while the price was up: healthy again, without a holding written.
    await app.get(PricesService).set('BTC', '60000');
    expect((await app.get(LiquidationService).review(user.accountId)).statusAfter).toBe('healthy');
    await sweptPrice('31800'); // back where it was found firmly settled: past its level again
    expect(searches.mock.calls.at(-1)![3]).toMatchObject({ settled: [user.accountId] });
    expect(await calls()).toBe(2);
    expect((await w.account(user.apiKey, user.accountId)).status).toBe('margin_call');
  }, 120_000);
});

/**
 * Settled, but closer to its liquidation level than the firm room: a move smaller than that room
 * can take it over the level, so it is valued again at every search (and liquidated then).
 */
describe('an account settled within the firm room of its liquidation level', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is liquidated by the move that crosses the level, however small', async () => {
    const finder = app.get(RiskSweepService) as unknown as { search(lanes: unknown, only: string[] | null, top: unknown, firm: { settled: string[]; healthy: string[] } | null): Promise<unknown> };
    const searches = jest.spyOn(finder, 'search');
    const user = await w.user('edge');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000');
    const sweptPrice = (price: string) => app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
    await sweptPrice('32000'); // LTV 0.75: its margin call
    await sweptPrice('28830'); // LTV 0.83247: settled, 0.06 % short of liquidation (0.833)
    expect((await w.account(user.apiKey, user.accountId)).status).toBe('margin_call');
    await sweptPrice('28810'); // LTV 0.83304: a move of 0.07 %, within the firm room
    expect(searches.mock.calls.at(-1)![3]).not.toBeNull(); // the narrowed search that may leave firm accounts out
    const notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body as { type: string }[];
    expect(notices.filter((n) => n.type === 'liquidation')).toHaveLength(1);
    await w.assertBalanced();
  }, 120_000);
});

/**
 * Accounts found firmly below their level (healthy, no warning, with the firm room to spare) are
 * left out as the firmly settled are: one within the room is valued again, and one another
 * process has moved since is valued again too.
 */
describe('accounts found firmly below their margin-call level', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  let searches: ReturnType<typeof jest.spyOn>;

  beforeEach(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
    const finder = app.get(RiskSweepService) as unknown as { search(lanes: unknown, only: string[] | null, top: unknown, firm: unknown): Promise<unknown> };
    searches = jest.spyOn(finder, 'search');
  });
  afterEach(async () => {
    await app?.close();
  });

  async function borrower() {
    const user = await w.user('hovering');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000'); // its margin call (0.714) at 33613.45
    const calls = async () =>
      ((await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body as { type: string }[]).filter((n) => n.type === 'margin_call').length;
    return { ...user, calls };
  }
  const sweptPrice = (price: string) => app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
  const riskStatus = async (accountId: string) =>
    (await app.get(PrismaService).$queryRaw<{ status: string }[]>`SELECT status FROM account_risk WHERE account_id = ${accountId}::uuid`)[0].status;

  it('calls the margin of one that was within the room, on a move smaller than the room', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // past its margin call
    await sweptPrice('33680'); // 0.2 % below: reviewed back to healthy
    await sweptPrice('33630'); // 0.05 % below, healthy: within the firm room
    expect(await user.calls()).toBe(1);
    await sweptPrice('33600'); // a move of 0.09 %: at its level again
    expect(searches.mock.calls.at(-1)![3]).not.toBeNull();
    expect(await user.calls()).toBe(2);
    expect(await riskStatus(user.accountId)).toBe('margin_call');
  }, 120_000);

  it('reviews one that another process moved to its margin call since', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // past its margin call
    await sweptPrice('40000'); // reviewed back to healthy
    await sweptPrice('40500'); // valued again, firmly below
    // Another process's review while the price was down: at its margin call, without a holding written.
    await app.get(PricesService).set('BTC', '32000');
    expect((await app.get(LiquidationService).review(user.accountId)).statusAfter).toBe('margin_call');
    await sweptPrice('40500'); // back where it was firmly below: its recovery must be seen
    expect(searches.mock.calls.at(-1)![3]).toMatchObject({ healthy: [user.accountId] });
    expect(await riskStatus(user.accountId)).toBe('healthy');
  }, 120_000);
});
