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
 * A narrowed search leaves out the accounts an earlier search found firm (settled-drift.ts):
 * settled at their margin call, or healthy below their level, with the firm room to spare. Each
 * check that makes this safe is broken by one of these: an account within the room is valued
 * again (settled near its liquidation level, healthy near its margin call), and so is one that
 * another process has reviewed since (the price away and back, a review between).
 */
describe('narrowed searches that leave firm accounts out', () => {
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

  /** 1 BTC owing 24,000 USDC: its margin call (0.714) at 33613.45, its liquidation (0.833) at 28811.52. */
  async function borrower() {
    const user = await w.user('hovering');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000');
    const notices = async (type: string) =>
      ((await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body as { type: string }[]).filter((n) => n.type === type).length;
    return { ...user, notices };
  }
  /**
   * The price set and swept; again at the same price while the sweep remembers no search. A
   * full search is remembered only when no writing transaction was in progress at its snapshot
   * (a clock tick moving its watermark may be, on a loaded machine), and these cases are about
   * the narrowed searches that follow a remembered one. Setting the same price again changes
   * nothing else: the accounts are where the first sweep left them.
   */
  const sweptPrice = async (price: string) => {
    const sweep = app.get(RiskSweepService) as unknown as { lastSearch?: unknown };
    // Up to 20 times, a moment apart: 5 in a row were not enough on CI's loaded machine.
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
      if (sweep.lastSearch !== undefined) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no sweep at ${price} remembered its search: a writing transaction was always in progress`);
  };
  const lastFirm = () => searches.mock.calls.at(-1)![3];
  const riskStatus = async (accountId: string) =>
    (await app.get(PrismaService).$queryRaw<{ status: string }[]>`SELECT status FROM account_risk WHERE account_id = ${accountId}::uuid`)[0].status;

  it('liquidates one settled within the room of its liquidation level, on a move smaller than the room', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // LTV 0.75: its margin call
    await sweptPrice('28830'); // LTV 0.83247: settled, 0.06 % short of liquidation
    expect(await riskStatus(user.accountId)).toBe('margin_call');
    await sweptPrice('28810'); // LTV 0.83304: a move of 0.07 %
    expect(lastFirm()).not.toBeNull(); // the narrowed search that may leave firm accounts out
    expect(await user.notices('liquidation')).toBe(1);
    await w.assertBalanced();
  }, 120_000);

  it('calls the margin of one healthy within the room of its level, on a move smaller than the room', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // past its margin call
    await sweptPrice('33680'); // 0.2 % below: reviewed back to healthy
    await sweptPrice('33630'); // 0.05 % below, healthy: within the firm room
    expect(await user.notices('margin_call')).toBe(1);
    await sweptPrice('33600'); // a move of 0.09 %: at its level again
    expect(lastFirm()).not.toBeNull();
    expect(await user.notices('margin_call')).toBe(2);
    expect(await riskStatus(user.accountId)).toBe('margin_call');
  }, 120_000);

  it('values one firmly settled again when another process has reviewed it back to healthy since', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // LTV 0.75: past its margin call, short of liquidation
    expect(await user.notices('margin_call')).toBe(1);
    await sweptPrice('31800'); // a move beyond the firm room: valued again, and found firmly settled
    // Another process's review while the price was up: healthy again, without a holding written.
    await app.get(PricesService).set('BTC', '60000');
    expect((await app.get(LiquidationService).review(user.accountId)).statusAfter).toBe('healthy');
    await sweptPrice('31800'); // back where it was found firmly settled: past its level again
    expect(lastFirm()).toMatchObject({ settled: [user.accountId] });
    expect(await user.notices('margin_call')).toBe(2);
    expect(await riskStatus(user.accountId)).toBe('margin_call');
  }, 120_000);

  it('reviews one firmly below its level again when another process has moved it to its margin call since', async () => {
    const user = await borrower();
    await sweptPrice('32000'); // past its margin call
    await sweptPrice('40000'); // reviewed back to healthy
    await sweptPrice('40500'); // valued again, firmly below
    // Another process's review while the price was down: at its margin call, without a holding written.
    await app.get(PricesService).set('BTC', '32000');
    expect((await app.get(LiquidationService).review(user.accountId)).statusAfter).toBe('margin_call');
    await sweptPrice('40500'); // back where it was firmly below: its recovery must be seen
    expect(lastFirm()).toMatchObject({ healthy: [user.accountId] });
    expect(await riskStatus(user.accountId)).toBe('healthy');
  }, 120_000);
});
