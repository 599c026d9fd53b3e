import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';
import { PricesService } from '../../src/prices/prices.service.js';

/** Every loan id in a value replaced, so that two twin accounts' stories compare equal. */
function withoutIds(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v) => (key === 'loanId' || key === 'id' ? '<id>' : v));
}

/**
 * A batch review (one transaction for many accounts, as the workers run them after a crash)
 * must leave each account exactly as reviewing it alone would: twin worlds, one reviewed in a
 * single batch, the other account by account, compared field by field.
 */
describe('risk reviews in a batch', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    // No workers: the price changes below start sweeps nobody runs; the test reviews by hand.
    app = await startTestApp({ RUN_WORKERS: 'false' });
    w = world(app);
    await w.lendingMarket('2000000');
    await w.price('SOL', '150');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('does to each account what reviewing it alone does: nothing, a margin call, a liquidation, bad debt', async () => {
    const profiles = {
      healthy: { collateral: { BTC: '1' }, debt: '10000' }, // 0.33 after the crash
      marginCall: { collateral: { BTC: '1' }, debt: '22000' }, // 0.733 ≥ 0.714
      liquidating: { collateral: { BTC: '1' }, debt: '25000' }, // 0.833
      mixed: { collateral: { BTC: '1', SOL: '100' }, debt: '26500' }, // blended levels, two assets sold
      badDebt: { collateral: { SOL: '200' }, debt: '12000' }, // SOL at a tenth: 3,000 against 12,000
    } as const;
    const twins: Record<string, { batch: { apiKey: string; accountId: string }; alone: { apiKey: string; accountId: string } }> = {};
    for (const [name, profile] of Object.entries(profiles)) {
      const pair = [] as { apiKey: string; accountId: string }[];
      for (const side of ['batch', 'alone']) {
        const user = await w.user(`${name}-${side}`);
        for (const [asset, amount] of Object.entries(profile.collateral)) await w.deposit(user.apiKey, user.accountId, asset, amount);
        await w.borrow(user.apiKey, user.accountId, 'USDC', profile.debt);
        pair.push(user);
      }
      twins[name] = { batch: pair[0], alone: pair[1] };
    }
    const prices = app.get(PricesService);
    await prices.set('BTC', '30000');
    await prices.set('SOL', '15');
    const liquidation = app.get(LiquidationService);

    const batched = await liquidation.reviewMany(Object.values(twins).map((t) => t.batch.accountId));
    const alone = [];
    for (const twin of Object.values(twins)) alone.push(await liquidation.review(twin.alone.accountId));

    const outcome = (list: typeof batched, id: string) => ({ ...list.find((o) => o.accountId === id)!, accountId: 'twin' });
    for (const [name, twin] of Object.entries(twins)) {
      const a = await w.account(twin.batch.apiKey, twin.batch.accountId);
      const b = await w.account(twin.alone.apiKey, twin.alone.accountId);
      expect({ name, account: withoutIds({ ...a, userId: null }) }).toEqual({ name, account: withoutIds({ ...b, userId: null }) });
      const notices = async (user: { apiKey: string; accountId: string }) =>
        (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body.map(
          (n: { type: string; data: unknown }) => ({ type: n.type, data: withoutIds(n.data) }),
        );
      expect({ name, notices: await notices(twin.batch) }).toEqual({ name, notices: await notices(twin.alone) });
      expect(outcome(batched, twin.batch.accountId)).toEqual(outcome(alone, twin.alone.accountId));
    }
    // The stories themselves, so that "equal" is not "equally empty".
    const byName = Object.fromEntries(Object.entries(twins).map(([name, t]) => [name, batched.find((o) => o.accountId === t.batch.accountId)!]));
    expect(byName.healthy).toMatchObject({ statusBefore: 'healthy', marginCall: false, liquidated: false });
    expect(byName.marginCall).toMatchObject({ statusBefore: 'margin_call', marginCall: true, liquidated: false });
    expect(byName.liquidating).toMatchObject({ statusBefore: 'liquidating', statusAfter: 'healthy', marginCall: true, liquidated: true, badDebt: '0' });
    expect(byName.mixed).toMatchObject({ statusBefore: 'liquidating', liquidated: true });
    expect(byName.badDebt).toMatchObject({ statusBefore: 'liquidating', statusAfter: 'healthy', liquidated: true });
    expect(Number(byName.badDebt.badDebt)).toBeGreaterThan(8000);
    await w.assertBalanced();
  });
});
