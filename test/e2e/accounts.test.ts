import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { hashApiKey } from '../../src/common/auth/api-key.js';

describe('users, accounts and keys', () => {
  let app: TestApp;
  let alice: Awaited<ReturnType<typeof createUser>>;
  let bob: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false' });
    alice = await createUser(app, 'alice');
    bob = await createUser(app, 'bob', 'pending');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('creates a user with a main account and a key shown once', async () => {
    const response = await app.admin.post('/v1/users').send({ name: 'carol' }).expect(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'carol',
      kycStatus: 'pending',
      apiKey: expect.stringMatching(/^ll_/),
      accounts: [{ id: expect.any(String), label: 'main' }],
    });
    const fetched = await app.admin.get(`/v1/users/${response.body.id}`).expect(200);
    expect(fetched.body.apiKey).toBeUndefined();
  });

  it('stores only the hash of a key', async () => {
    const stored = await app.get(PrismaService).apiKey.findMany({ where: { userId: alice.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0].keyHash).toBe(hashApiKey(alice.apiKey));
    expect(JSON.stringify(stored)).not.toContain(alice.apiKey);
  });

  it('changes KYC status', async () => {
    const response = await app.admin.put(`/v1/users/${bob.id}/kyc`).send({ status: 'rejected' }).expect(200);
    expect(response.body.kycStatus).toBe('rejected');
    await app.admin.put(`/v1/users/${bob.id}/kyc`).send({ status: 'verified' }).expect(400);
    const missing = await app.admin.put('/v1/users/00000000-0000-4000-8000-000000000000/kyc').send({ status: 'approved' }).expect(404);
    expect(missing.body.code).toBe('NOT_FOUND');
  });

  it('opens sub-accounts that only their owner sees', async () => {
    const opened = await app.api(alice.apiKey).post('/v1/accounts').send({ label: 'trading' }).expect(201);
    expect(opened.body).toEqual({ id: expect.any(String), label: 'trading' });
    const mine = await app.api(alice.apiKey).get('/v1/accounts').expect(200);
    expect(mine.body.map((a: { label: string }) => a.label)).toEqual(['main', 'trading']);
    const theirs = await app.api(bob.apiKey).get('/v1/accounts').expect(200);
    expect(theirs.body.map((a: { id: string }) => a.id)).not.toContain(opened.body.id);
  });

  it('lets the admin open an account for a user, and only with a user id', async () => {
    const opened = await app.admin.post('/v1/accounts').send({ label: 'by admin', userId: bob.id }).expect(201);
    expect(opened.body.label).toBe('by admin');
    const refused = await app.admin.post('/v1/accounts').send({ label: 'nobody' }).expect(400);
    expect(refused.body.code).toBe('VALIDATION_FAILED');
  });

  it.each([
    [{}, 'label'],
    [{ label: '' }, 'label'],
    [{ label: 'x'.repeat(101) }, 'label'],
    [{ label: 42 }, 'label'],
    [{ label: 'ok', colour: 'red' }, 'colour'],
  ])('refuses the account body %p naming %s', async (body, field) => {
    const before = await app.get(PrismaService).account.count();
    const response = await app.api(alice.apiKey).post('/v1/accounts').send(body).expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(response.body.details.fields)).toContain(field);
    expect(await app.get(PrismaService).account.count()).toBe(before);
  });

  describe('authentication', () => {
    it('needs a key', async () => {
      const response = await app.api().get('/v1/accounts').expect(401);
      expect(response.body).toEqual({ statusCode: 401, code: 'UNAUTHENTICATED', message: expect.any(String), details: {} });
      await app.api('ll_not-a-real-key').get('/v1/accounts').expect(401);
      await app.api().get('/v1/clock').set('Authorization', 'Basic abc').expect(401);
    });

    it('keeps admin endpoints for the admin', async () => {
      for (const [method, path, body] of [
        ['post', '/v1/users', { name: 'mallory' }],
        ['put', `/v1/users/${alice.id}/kyc`, { status: 'approved' }],
        ['get', `/v1/users/${alice.id}`, undefined],
        ['post', '/v1/clock/advance', { days: 1 }],
        ['get', '/v1/ledger/check', undefined],
        ['put', '/v1/prices/BTC', { price: '1' }],
      ] as const) {
        const response = await app.api(alice.apiKey)[method](path).send(body as object).expect(403);
        expect(response.body.code).toBe('FORBIDDEN');
      }
    });
  });

  describe('idempotency', () => {
    it('replays the first response for the same key and body, once', async () => {
      const send = () =>
        app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'open-savings').send({ label: 'savings' });
      const first = await send().expect(201);
      const again = await send().expect(201);
      expect(again.body).toEqual(first.body);
      const labels = (await app.api(alice.apiKey).get('/v1/accounts')).body.filter((a: { label: string }) => a.label === 'savings');
      expect(labels).toHaveLength(1);
    });

    it('refuses the same key with another body, changing nothing', async () => {
      await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'k-reuse').send({ label: 'one' }).expect(201);
      const before = await app.get(PrismaService).account.count();
      const response = await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'k-reuse').send({ label: 'two' }).expect(422);
      expect(response.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      expect(await app.get(PrismaService).account.count()).toBe(before);
    });

    it('scopes keys to the caller', async () => {
      const carol = await createUser(app, 'carol2');
      await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'shared-key').send({ label: 'a' }).expect(201);
      const other = await app.api(carol.apiKey).post('/v1/accounts').set('Idempotency-Key', 'shared-key').send({ label: 'b' }).expect(201);
      expect(other.body.label).toBe('b');
    });

    it('has one effect when the same request races twenty times', async () => {
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'race-1').send({ label: 'raced' }),
        ),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      const raced = (await app.api(alice.apiKey).get('/v1/accounts')).body.filter((a: { label: string }) => a.label === 'raced');
      expect(raced).toHaveLength(1);
    });

    it('stores nothing for a request refused by validation', async () => {
      await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'bad-first').send({ label: '' }).expect(400);
      await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'bad-first').send({ label: 'fixed' }).expect(201);
    });

    it('refuses an over-long key', async () => {
      const response = await app.api(alice.apiKey).post('/v1/accounts').set('Idempotency-Key', 'k'.repeat(256)).send({ label: 'x' }).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });
  });
});
