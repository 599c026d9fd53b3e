import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';

describe('deposits and withdrawals', () => {
  let app: TestApp;
  let alice: Awaited<ReturnType<typeof createUser>>;
  let savings: string;

  const as = (key: string) => app.api(key);
  const advance = (days: number) => app.admin.post('/v1/clock/advance').send({ days }).expect(200);
  const ledgerCheck = async () => (await app.admin.get('/v1/ledger/check').expect(200)).body;

  beforeAll(async () => {
    app = await startTestApp();
    alice = await createUser(app, 'alice');
    savings = (await as(alice.apiKey).post('/v1/accounts').send({ label: 'savings' }).expect(201)).body.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('resets the whole position’s maturity on a top-up; a sub-account keeps its own', async () => {
    // Day 1 (2026-01-01): 1 BTC in main, 1 BTC in the sub-account.
    const first = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/deposits`).send({ asset: 'BTC', amount: '1' }).expect(201);
    expect(first.body.position).toEqual({
      asset: 'BTC',
      amount: '1.00000000',
      principal: '1.00000000',
      interestEarned: '0.00000000',
      maturesAt: '2026-01-08T00:00:00.000Z',
      matured: false,
    });
    await as(alice.apiKey).post(`/v1/accounts/${savings}/deposits`).send({ asset: 'BTC', amount: '1', network: 'bitcoin' }).expect(201);

    // Day 3: a top-up of 0.5 moves all 1.5 BTC to day 10.
    await advance(2);
    const topUp = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/deposits`).send({ asset: 'BTC', amount: '0.5' }).expect(201);
    expect(topUp.body.position).toMatchObject({ amount: '1.50000000', principal: '1.50000000', maturesAt: '2026-01-10T00:00:00.000Z' });

    // Day 9: main is locked until day 10; the sub-account matured on day 8.
    await advance(6);
    const locked = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/withdrawals`).send({ asset: 'BTC' }).expect(409);
    expect(locked.body).toMatchObject({ code: 'POSITION_LOCKED', details: { maturesAt: '2026-01-10T00:00:00.000Z' } });
    const fromSavings = await as(alice.apiKey).post(`/v1/accounts/${savings}/withdrawals`).send({ asset: 'BTC' }).expect(201);
    expect(fromSavings.body).toEqual({ asset: 'BTC', amount: '1.00000000' });

    // Day 10: part of it is refused; the whole of it is paid.
    await advance(1);
    const partial = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/withdrawals`).send({ asset: 'BTC', amount: '1' }).expect(422);
    expect(partial.body).toMatchObject({ code: 'PARTIAL_WITHDRAWAL_NOT_ALLOWED', details: { wholePosition: '1.50000000' } });
    const whole = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/withdrawals`).send({ asset: 'BTC', amount: '1.5' }).expect(201);
    expect(whole.body).toEqual({ asset: 'BTC', amount: '1.50000000' });

    const account = await as(alice.apiKey).get(`/v1/accounts/${alice.accountId}`).expect(200);
    expect(account.body.positions).toEqual([]);
    const again = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/withdrawals`).send({ asset: 'BTC' }).expect(404);
    expect(again.body.code).toBe('NO_POSITION');
    expect((await ledgerCheck()).balanced).toBe(true);
  });

  it('notifies each maturity once, at the time it happened', async () => {
    const notices = (await as(alice.apiKey).get(`/v1/accounts/${alice.accountId}/notifications`).expect(200)).body;
    expect(notices.filter((n: { type: string }) => n.type === 'maturity')).toEqual([
      { id: expect.any(String), type: 'maturity', at: '2026-01-10T00:00:00.000Z', data: { asset: 'BTC', maturesAt: '2026-01-10T00:00:00.000Z' } },
    ]);
    const savingsNotices = (await as(alice.apiKey).get(`/v1/accounts/${savings}/notifications`).expect(200)).body;
    expect(savingsNotices.map((n: { at: string }) => n.at)).toEqual(['2026-01-08T00:00:00.000Z']);
  });

  it('lists the ledger-backed statement, newest first', async () => {
    const lines = (await as(alice.apiKey).get(`/v1/accounts/${alice.accountId}/transactions`).expect(200)).body;
    expect(lines.map((l: { type: string; amount: string }) => [l.type, l.amount])).toEqual([
      ['withdrawal', '1.50000000'],
      ['deposit', '0.50000000'],
      ['deposit', '1.00000000'],
    ]);
  });

  it('needs approved KYC and changes nothing without it', async () => {
    const pending = await createUser(app, 'pat', 'pending');
    const before = await ledgerCheck();
    const refused = await as(pending.apiKey).post(`/v1/accounts/${pending.accountId}/deposits`).send({ asset: 'ETH', amount: '1' }).expect(403);
    expect(refused.body.code).toBe('KYC_REQUIRED');
    expect(await ledgerCheck()).toEqual(before);
  });

  it.each([
    [{ asset: 'BTC', amount: '1', network: 'ethereum' }, 400, 'UNSUPPORTED_NETWORK'],
    [{ asset: 'USDT', amount: '1', network: 'solana' }, 400, 'UNSUPPORTED_NETWORK'],
    [{ asset: 'DOGE', amount: '1' }, 400, 'UNKNOWN_ASSET'],
    [{ asset: 'btc', amount: '1' }, 400, 'UNKNOWN_ASSET'],
    [{ asset: 'BTC', amount: '0.000000001' }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC', amount: 1 }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC', amount: '-1' }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC', amount: '1e2' }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC', amount: '1000000000000000' }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC' }, 400, 'VALIDATION_FAILED'],
    [{ asset: 'BTC', amount: '1', memo: 'x' }, 400, 'VALIDATION_FAILED'],
  ])('refuses the deposit %p with %i %s, changing nothing', async (body, status, code) => {
    const before = await ledgerCheck();
    const response = await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/deposits`).send(body).expect(status);
    expect(response.body.code).toBe(code);
    expect(await ledgerCheck()).toEqual(before);
  });

  it('accepts a stablecoin on each of its networks', async () => {
    await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/deposits`).send({ asset: 'USDT', amount: '10', network: 'tron' }).expect(201);
    await as(alice.apiKey).post(`/v1/accounts/${alice.accountId}/deposits`).send({ asset: 'USDT', amount: '5.5', network: 'ethereum' }).expect(201);
    const account = await as(alice.apiKey).get(`/v1/accounts/${alice.accountId}`).expect(200);
    expect(account.body.positions).toEqual([expect.objectContaining({ asset: 'USDT', amount: '15.500000' })]);
  });

  it('hides another user’s account behind 404 and changes nothing', async () => {
    const bob = await createUser(app, 'bob');
    const before = await ledgerCheck();
    for (const [method, path] of [
      ['post', `/v1/accounts/${alice.accountId}/deposits`],
      ['post', `/v1/accounts/${alice.accountId}/withdrawals`],
      ['get', `/v1/accounts/${alice.accountId}`],
      ['get', `/v1/accounts/${alice.accountId}/transactions`],
      ['get', `/v1/accounts/${alice.accountId}/interest`],
      ['get', `/v1/accounts/${alice.accountId}/notifications`],
    ] as const) {
      const response = await as(bob.apiKey)[method](path).send({ asset: 'USDT', amount: '1' }).expect(404);
      expect(response.body.code).toBe('NOT_FOUND');
    }
    await as(bob.apiKey).get('/v1/accounts/not-a-uuid').expect(404);
    expect(await ledgerCheck()).toEqual(before);
  });

  it('deposits once for a repeated Idempotency-Key, and refuses the key with another body', async () => {
    const carol = await createUser(app, 'carol');
    const send = (amount: string) =>
      as(carol.apiKey).post(`/v1/accounts/${carol.accountId}/deposits`).set('Idempotency-Key', 'dep-1').send({ asset: 'ETH', amount });
    const first = await send('2').expect(201);
    const replay = await send('2').expect(201);
    expect(replay.body).toEqual(first.body);
    expect((await send('3').expect(422)).body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const account = await as(carol.apiKey).get(`/v1/accounts/${carol.accountId}`).expect(200);
    expect(account.body.positions).toEqual([expect.objectContaining({ asset: 'ETH', principal: '2.000000000000000000' })]);
  });

  it('replays a refusal for its key: a withdrawal refused stays refused', async () => {
    const dave = await createUser(app, 'dave');
    await as(dave.apiKey).post(`/v1/accounts/${dave.accountId}/deposits`).send({ asset: 'SOL', amount: '3' }).expect(201);
    const send = () => as(dave.apiKey).post(`/v1/accounts/${dave.accountId}/withdrawals`).set('Idempotency-Key', 'w-1').send({ asset: 'SOL' });
    expect((await send().expect(409)).body.code).toBe('POSITION_LOCKED');
    await advance(7);
    expect((await send().expect(409)).body.code).toBe('POSITION_LOCKED'); // replayed, not re-run
    await as(dave.apiKey).post(`/v1/accounts/${dave.accountId}/withdrawals`).set('Idempotency-Key', 'w-2').send({ asset: 'SOL' }).expect(201);
  });

  it('adds up many concurrent deposits into one position exactly, with one maturity', async () => {
    const erin = await createUser(app, 'erin');
    const responses = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        as(erin.apiKey).post(`/v1/accounts/${erin.accountId}/deposits`).send({ asset: 'USDC', amount: `${i + 1}.000001` }),
      ),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const account = await as(erin.apiKey).get(`/v1/accounts/${erin.accountId}`).expect(200);
    // 1 + 2 + … + 25 = 325, plus 25 × 0.000001
    expect(account.body.positions).toEqual([expect.objectContaining({ asset: 'USDC', amount: '325.000025', principal: '325.000025' })]);
    expect((await ledgerCheck()).balanced).toBe(true);
  });

  it('locks for the configured lending period', async () => {
    await app.admin.put('/v1/settings').send({ lendingPeriodDays: 30 }).expect(200);
    const frank = await createUser(app, 'frank');
    const now = (await app.admin.get('/v1/clock')).body.now;
    const deposit = await as(frank.apiKey).post(`/v1/accounts/${frank.accountId}/deposits`).send({ asset: 'LAB', amount: '100' }).expect(201);
    expect(Date.parse(deposit.body.position.maturesAt) - Date.parse(now)).toBe(30 * 86_400_000);
    await app.admin.put('/v1/settings').send({ lendingPeriodDays: 7 }).expect(200);
    expect((await app.admin.put('/v1/settings').send({ lendingPeriodDays: -1 }).expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await app.admin.put('/v1/settings').send({ liquidationFee: '0.5' }).expect(400)).body.code).toBe('VALIDATION_FAILED');
  });
});
