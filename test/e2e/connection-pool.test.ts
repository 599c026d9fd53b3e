import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';

const POOL = 2;

/**
 * Money movements hold one connection each for their whole transaction. If anything inside one
 * asked the pool for a second connection (the clock did), as many concurrent requests as there
 * are connections would each hold one and wait for another until Prisma gives up (30 s) and the
 * clients get 500s. With pools of two (Prisma's, and the movements' own), ten concurrent
 * requests show it at once.
 */
describe('more concurrent money movements than database connections', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp({ DATABASE_POOL_SIZE: String(POOL), DATABASE_MOVEMENT_POOL_SIZE: String(POOL) });
    w = world(app);
    await w.lendingMarket('1000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves them all, none waiting on a connection it can never get', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, (_, i) => w.user(`pool${i}`)));
    for (const user of users) await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    const responses = await Promise.all(
      users.flatMap((user) => [
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`).set('Idempotency-Key', `top-up-${user.id}`).send({ asset: 'ETH', amount: '2' }),
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/loans`).set('Idempotency-Key', `loan-${user.id}`).send({ asset: 'USDC', amount: '100' }),
      ]),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(201));
    await w.assertBalanced();
  }, 60_000);
});
