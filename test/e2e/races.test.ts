import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { dec } from '../../src/common/money/decimal.js';

describe('races', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('10000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('deposits once when the same Idempotency-Key arrives twenty times at once', async () => {
    const user = await w.user('impatient');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`).set('Idempotency-Key', 'same').send({ asset: 'ETH', amount: '1.25' }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    // Replays are the first answer to the byte.
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect((await w.account(user.apiKey, user.accountId)).positions).toEqual([expect.objectContaining({ principal: '1.250000000000000000' })]);
    await w.assertBalanced();
  });

  it('never lets a withdrawal and a borrow on the same collateral both succeed', async () => {
    const users = [];
    for (let i = 0; i < 6; i += 1) {
      const user = await w.user(`racer${i}`);
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      users.push(user);
    }
    await w.advance({ days: 7 }); // every position matured
    for (const user of users) {
      const [withdrawal, borrow] = await Promise.all([
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/withdrawals`).send({ asset: 'BTC' }),
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/loans`).send({ asset: 'USDC', amount: '20000' }),
      ]);
      expect([withdrawal.status, borrow.status].sort()).toEqual([201, 409]);
      const account = await w.account(user.apiKey, user.accountId);
      if (account.loans.length) expect(dec(account.ltv).lte(account.maxLtv)).toBe(true);
      else expect(account.positions).toEqual([]);
    }
    await w.assertBalanced();
  });
});
