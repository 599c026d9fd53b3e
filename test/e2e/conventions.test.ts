import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, createUser, startTestApp, TestApp } from '../support/test-app.js';

describe('HTTP conventions', () => {
  let app: TestApp;
  let userKey: string;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false', BODY_LIMIT_BYTES: '2048', AUTH_FAILURE_LIMIT: '3' });
    userKey = (await createUser(app, 'dana')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers health, docs and the OpenAPI document without a key', async () => {
    await app.api().get('/health').expect(200);
    await app.api().get('/docs').expect(200);
    const document = (await app.api().get('/docs-json').expect(200)).body;
    // Every path of the contract (shared/api-contract.md).
    for (const path of [
      '/v1/users',
      '/v1/users/{id}/kyc',
      '/v1/accounts',
      '/v1/accounts/{id}',
      '/v1/accounts/{id}/deposits',
      '/v1/accounts/{id}/withdrawals',
      '/v1/accounts/{id}/loans',
      '/v1/loans/{id}/repayments',
      '/v1/accounts/{id}/transactions',
      '/v1/accounts/{id}/interest',
      '/v1/accounts/{id}/history',
      '/v1/accounts/{id}/notifications',
      '/v1/clock',
      '/v1/clock/advance',
      '/v1/prices',
      '/v1/prices/{asset}',
      '/v1/markets',
      '/v1/markets/{asset}',
      '/v1/markets/{asset}/rate-curve',
      '/v1/markets/{asset}/history',
      '/v1/settings',
      '/v1/ledger/check',
      '/v1/calc/apy',
      '/v1/calc/apr',
      '/v1/calc/real-rate',
      '/v1/calc/growth',
      '/health',
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
  });

  it('gives every error the contract body', async () => {
    const missing = await app.admin.get('/v1/nothing-here').expect(404);
    expect(missing.body).toEqual({ statusCode: 404, code: 'NOT_FOUND', message: expect.any(String), details: {} });
  });

  it('refuses malformed JSON and oversize bodies with their codes', async () => {
    const malformed = await app.admin.post('/v1/users').set('Content-Type', 'application/json').send('{"name": "x",').expect(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');
    const huge = await app.admin.post('/v1/users').send({ name: 'x'.repeat(5000) }).expect(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('sends security headers', async () => {
    const response = await app.api().get('/health');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps the queue dashboard for the admin', async () => {
    await app.api().get('/admin/queues').expect(401);
    await app.api(userKey).get('/admin/queues').expect(401);
    await app.api().get('/admin/queues').auth('admin', ADMIN_KEY).expect(200);
  });

  it('rate-limits repeated authentication failures but never a valid key', async () => {
    for (let i = 0; i < 3; i += 1) await app.api('ll_wrong').get('/v1/accounts').expect(401);
    const limited = await app.api('ll_wrong').get('/v1/accounts').expect(429);
    expect(limited.body.code).toBe('RATE_LIMITED');
    await app.api(userKey).get('/v1/accounts').expect(200);
  });

  describe('prices', () => {
    it('sets and lists prices with their time', async () => {
      const set = await app.admin.put('/v1/prices/BTC').send({ price: '64000.5' }).expect(200);
      expect(set.body).toEqual({ asset: 'BTC', price: '64000.5', at: '2026-01-01T00:00:00.000Z' });
      const list = await app.api(userKey).get('/v1/prices').expect(200);
      expect(list.body).toContainEqual({ asset: 'BTC', price: '64000.5', at: '2026-01-01T00:00:00.000Z' });
    });

    it.each([['0'], ['-1'], ['1e5'], ['abc'], ['1.0000000000000000001'], [''], ['1000000000000000']])('refuses the price %p', async (price) => {
      const response = await app.admin.put('/v1/prices/ETH').send({ price }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.details.fields.price).toBeDefined();
    });

    it('refuses a number, an unknown asset and a lower-case code', async () => {
      expect((await app.admin.put('/v1/prices/ETH').send({ price: 3000 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
      expect((await app.admin.put('/v1/prices/DOGE').send({ price: '1' }).expect(400)).body.code).toBe('UNKNOWN_ASSET');
      expect((await app.admin.put('/v1/prices/btc').send({ price: '1' }).expect(400)).body.code).toBe('UNKNOWN_ASSET');
      const list = await app.admin.get('/v1/prices').expect(200);
      expect(list.body.find((p: { asset: string }) => p.asset === 'ETH')).toBeUndefined();
    });
  });
});
