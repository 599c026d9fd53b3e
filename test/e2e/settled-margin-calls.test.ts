import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';

/**
 * An account at its margin call that a price move leaves between its margin-call and
 * liquidation levels is not reviewed again (risk-sweep.service.ts, settled-band.ts): nothing
 * would change. It is reviewed as soon as it may leave the band: back to healthy (recorded, so
 * that the next crossing calls again), or on to its liquidation level.
 * 1 BTC against 24,000 USDC: margin call (0.714) below 33,613, liquidation (0.833) below 28,812.
 */
describe('a sweep that leaves accounts settled at their margin call alone', () => {
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

  it('reviews the account only when a move may take it out of its band; every call and the liquidation land at their price', async () => {
    const user = await w.user('settled');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000');
    const reviews = jest.spyOn(app.get(LiquidationService), 'reviewMany');
    const steps: { price: string; reviewed: boolean; status: string; calls: number; liquidations: number }[] = [];
    for (const price of ['33000', '32000', '33500', '34000', '33000', '30000', '28000']) {
      reviews.mockClear();
      await app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
      const notices: { type: string }[] = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body;
      steps.push({
        price,
        reviewed: reviews.mock.calls.some(([ids]) => ids.includes(user.accountId)),
        status: (await w.account(user.apiKey, user.accountId)).status,
        calls: notices.filter((n) => n.type === 'margin_call').length,
        liquidations: notices.filter((n) => n.type === 'liquidation').length,
      });
    }
    expect(steps.map(({ price, reviewed, calls, liquidations }) => ({ price, reviewed, calls, liquidations }))).toEqual([
      { price: '33000', reviewed: true, calls: 1, liquidations: 0 }, // crosses its margin call
      { price: '32000', reviewed: false, calls: 1, liquidations: 0 }, // deeper in the band: settled
      { price: '33500', reviewed: false, calls: 1, liquidations: 0 }, // near the level, still in the band
      { price: '34000', reviewed: true, calls: 1, liquidations: 0 }, // back to healthy: recorded
      { price: '33000', reviewed: true, calls: 2, liquidations: 0 }, // a second crossing, a second call
      { price: '30000', reviewed: false, calls: 2, liquidations: 0 },
      { price: '28000', reviewed: true, calls: 2, liquidations: 1 }, // past its liquidation level
    ]);
    expect(steps.slice(0, 3).map((s) => s.status)).toEqual(['margin_call', 'margin_call', 'margin_call']);
    expect(steps[3].status).toBe('healthy');
    await w.assertBalanced();
  }, 120_000);
});
