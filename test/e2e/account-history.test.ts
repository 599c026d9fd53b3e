import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';

/** GET /v1/accounts/:id/history: each day's 00:00 as the account view showed it then. */
describe('an account day by day', () => {
  let app: TestApp;
  let borrower: { id: string; apiKey: string; accountId: string };
  let other: { apiKey: string; accountId: string };
  /** The account view read live at 00:00 of each day (2026-01-02 to 2026-01-04). */
  const live: Record<string, Record<string, unknown>> = {};

  beforeAll(async () => {
    app = await startTestApp({ CLOCK_START: '2026-01-01T00:00:00Z' });
    const w = world(app);
    await w.lendingMarket('100000');
    borrower = await w.user('borrower');
    other = await w.user('other');
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '1');
    await w.borrow(borrower.apiKey, borrower.accountId, 'USDC', '20000');
    await w.advance({ days: 1 });
    live['2026-01-02'] = await w.account(borrower.apiKey, borrower.accountId);
    await w.advance({ days: 1 });
    await w.price('BTC', '45000'); // a price set at that 00:00, after its start
    live['2026-01-03'] = await w.account(borrower.apiKey, borrower.accountId);
    await w.advance({ hours: 5 });
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '0.5');
    await w.advance({ hours: 19 });
    live['2026-01-04'] = await w.account(borrower.apiKey, borrower.accountId);
    await w.advance({ hours: 7 });
  }, 120_000);
  afterAll(async () => {
    await app?.close();
  });

  const get = (query: string, key = borrower.apiKey) => app.api(key).get(`/v1/accounts/${borrower.accountId}/history${query}`);

  it('shows each day as the account showed it at that 00:00, up to today, without the days before the world', async () => {
    const rows = (await get('?from=2025-12-30&to=2026-01-09').expect(200)).body;
    expect(rows.map((r: { date: string }) => r.date)).toEqual(['2026-01-02', '2026-01-03', '2026-01-04']);
    for (const row of rows) {
      const view = live[row.date];
      const { id, label, userId, positions, loans, ...figures } = view as Record<string, any>;
      expect({ id, label, userId }).toEqual({ id: borrower.accountId, label: 'main', userId: borrower.id });
      expect(row).toEqual({
        date: row.date,
        at: `${row.date}T00:00:00.000Z`,
        ...figures,
        positions: positions.map((p: { asset: string; amount: string }) => ({ asset: p.asset, amount: p.amount })),
        loans: loans.map((l: { id: string; asset: string; outstanding: string }) => ({ id: l.id, asset: l.asset, outstanding: l.outstanding })),
      });
    }
    // Real interest and a deposit inside the range: the rows differ day by day.
    expect(rows[0].loans[0].outstanding).not.toBe(rows[2].loans[0].outstanding);
    expect(rows[2].positions[0].amount).toBe('1.50000000');
    expect((await app.admin.get(`/v1/accounts/${borrower.accountId}/history?from=2026-01-03&to=2026-01-03`).expect(200)).body).toEqual([rows[1]]);
  });

  it('lists the same days for an account that holds nothing, each with nothing in it', async () => {
    const rows = (await app.api(other.apiKey).get(`/v1/accounts/${other.accountId}/history?from=2025-12-30&to=2026-01-09`).expect(200)).body;
    expect(rows.map((r: { date: string; positions: unknown[]; loans: unknown[]; collateralValue: string; status: string }) => [r.date, r.positions, r.loans, r.collateralValue, r.status])).toEqual(
      ['2026-01-02', '2026-01-03', '2026-01-04'].map((date) => [date, [], [], '0', 'healthy']),
    );
  });

  it('refuses a missing, malformed, reversed or too long range with 400 VALIDATION_FAILED', async () => {
    for (const query of ['', '?from=2026-01-02', '?to=2026-01-02', '?from=2026-1-2&to=2026-01-03', '?from=2026-02-30&to=2026-03-01', '?from=2026-01-03&to=2026-01-02',
      '?from=2026-01-01&to=2036-01-12', '?from=2026-01-01&from=2026-01-02&to=2026-01-03', '?from=2026-01-01T00:00:00Z&to=2026-01-03']) {
      const response = await get(query);
      expect({ query, status: response.status, code: response.body.code }).toEqual({ query, status: 400, code: 'VALIDATION_FAILED' });
    }
    // Ten years and a leap day or two is the limit.
    await get('?from=2026-01-01&to=2036-01-07').expect(200);
  });

  it('answers another user’s account like a missing one (404 NOT_FOUND)', async () => {
    const theirs = await get('?from=2026-01-01&to=2026-01-03', other.apiKey);
    const missing = await app.api(other.apiKey).get('/v1/accounts/00000000-0000-4000-8000-000000000000/history?from=2026-01-01&to=2026-01-03');
    expect([theirs.status, theirs.body.code]).toEqual([404, 'NOT_FOUND']);
    expect(theirs.body).toEqual(missing.body);
  });
});
