import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';

describe('access', () => {
  let app: TestApp;
  let owner: Awaited<ReturnType<ReturnType<typeof world>['user']>>;
  let intruder: Awaited<ReturnType<ReturnType<typeof world>['user']>>;
  let loanId: string;

  beforeAll(async () => {
    app = await startTestApp();
    const w = world(app);
    await w.lendingMarket('100000');
    owner = await w.user('owner');
    intruder = await w.user('intruder');
    await w.deposit(owner.apiKey, owner.accountId, 'BTC', '1');
    loanId = (await w.borrow(owner.apiKey, owner.accountId, 'USDC', '100')).id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers another user’s accounts and loans exactly like missing ones (404), changing nothing', async () => {
    const before = (await app.admin.get('/v1/ledger/check')).body;
    const calls: ['get' | 'post' | 'put', string, object?][] = [
      ['get', `/v1/accounts/${owner.accountId}`],
      ['get', `/v1/accounts/${owner.accountId}/transactions`],
      ['get', `/v1/accounts/${owner.accountId}/interest`],
      ['get', `/v1/accounts/${owner.accountId}/notifications`],
      ['post', `/v1/accounts/${owner.accountId}/deposits`, { asset: 'BTC', amount: '1' }],
      ['post', `/v1/accounts/${owner.accountId}/withdrawals`, { asset: 'BTC' }],
      ['post', `/v1/accounts/${owner.accountId}/loans`, { asset: 'USDC', amount: '1' }],
      ['post', `/v1/loans/${loanId}/repayments`, { amount: '1' }],
    ];
    for (const [method, path, body] of calls) {
      const theirs = await app.api(intruder.apiKey)[method](path).send(body ?? {});
      const missing = await app.api(intruder.apiKey)[method](path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '00000000-0000-4000-8000-000000000000')).send(body ?? {});
      expect({ path, status: theirs.status, body: theirs.body }).toEqual({ path, status: 404, body: { ...missing.body } });
    }
    expect((await app.admin.get('/v1/ledger/check')).body).toEqual(before);
  });

  it('keeps every admin endpoint from user keys (403), changing nothing', async () => {
    const before = (await app.admin.get('/v1/ledger/check')).body;
    const calls: ['get' | 'post' | 'put', string, object?][] = [
      ['post', '/v1/users', { name: 'x' }],
      ['get', `/v1/users/${owner.id}`],
      ['put', `/v1/users/${owner.id}/kyc`, { status: 'rejected' }],
      ['post', '/v1/clock/advance', { days: 1 }],
      ['put', '/v1/prices/BTC', { price: '1' }],
      ['put', '/v1/markets/BTC', { risk: { maxLtv: '0.1' } }],
      ['put', '/v1/settings', { liquidationFee: '0.01' }],
      ['get', '/v1/ledger/check'],
    ];
    for (const [method, path, body] of calls) {
      const response = await app.api(owner.apiKey)[method](path).send(body ?? {});
      expect({ path, status: response.status, code: response.body.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
    }
    expect((await app.admin.get('/v1/ledger/check')).body).toEqual(before);
    expect((await app.admin.get('/v1/clock')).body.now).toBe('2026-01-01T00:00:00.000Z');
    expect((await app.admin.get('/v1/markets/BTC')).body.price).toBe('50000');
  });
});
