import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp, ADMIN_KEY } from '../support/test-app.js';
import { world } from '../support/world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/** Values that must never be taken for an amount, an asset or a label. */
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  0,
  1.5,
  -1,
  '',
  ' ',
  '0',
  '-1',
  '+1',
  '1e3',
  'NaN',
  'Infinity',
  '0x1F',
  '1,000',
  '１',
  '1'.repeat(40),
  '0.' + '1'.repeat(30),
  'x'.repeat(10_000),
  '\u0000',
  '<script>',
  "'; DROP TABLE users; --",
  [],
  ['1'],
  {},
  { amount: '1' },
];

type Endpoint = { method: 'post' | 'put'; path: string; body: Record<string, unknown>; key: 'user' | 'admin' };

describe('hostile input', () => {
  let app: TestApp;
  let endpoints: Endpoint[];
  let userKey: string;

  async function fingerprint() {
    const prisma = app.get(PrismaService);
    const check = (await app.admin.get('/v1/ledger/check').expect(200)).body;
    return {
      check,
      accounts: await prisma.account.count(),
      users: await prisma.user.count(),
      positions: await prisma.position.findMany({ orderBy: { id: 'asc' } }),
      loans: await prisma.loan.findMany({ orderBy: { id: 'asc' } }),
      prices: await prisma.pricePoint.count(),
      markets: await prisma.market.findMany({ orderBy: { asset: 'asc' } }),
      settings: await prisma.settings.findMany(),
      clock: (await app.admin.get('/v1/clock')).body,
    };
  }

  beforeAll(async () => {
    app = await startTestApp({ BODY_LIMIT_BYTES: '4096', AUTH_FAILURE_LIMIT: '1000' });
    const w = world(app);
    await w.price('BTC', '50000');
    await w.price('USDC', '1');
    const user = await w.user('target');
    userKey = user.apiKey;
    await w.deposit(user.apiKey, user.accountId, 'USDC', '100000');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    const loan = await w.borrow(user.apiKey, user.accountId, 'USDC', '1000');
    endpoints = [
      { method: 'post', path: `/v1/accounts/${user.accountId}/deposits`, body: { asset: 'BTC', amount: '1', network: 'bitcoin' }, key: 'user' },
      { method: 'post', path: `/v1/accounts/${user.accountId}/withdrawals`, body: { asset: 'BTC', amount: '1' }, key: 'user' },
      { method: 'post', path: `/v1/accounts/${user.accountId}/loans`, body: { asset: 'USDC', amount: '100' }, key: 'user' },
      { method: 'post', path: `/v1/loans/${loan.id}/repayments`, body: { amount: '10' }, key: 'user' },
      { method: 'post', path: '/v1/accounts', body: { label: 'x' }, key: 'user' },
      { method: 'post', path: '/v1/users', body: { name: 'x', kycStatus: 'approved' }, key: 'admin' },
      { method: 'put', path: `/v1/users/${user.id}/kyc`, body: { status: 'approved' }, key: 'admin' },
      { method: 'post', path: '/v1/clock/advance', body: { days: 1 }, key: 'admin' },
      { method: 'put', path: '/v1/prices/BTC', body: { price: '50000' }, key: 'admin' },
      { method: 'put', path: '/v1/markets/BTC', body: { rateModel: { slope1: '0.04' }, risk: { maxLtv: '0.5' } }, key: 'admin' },
      { method: 'put', path: '/v1/settings', body: { lendingPeriodDays: 7, liquidationFee: '0.05' }, key: 'admin' },
    ];
  });
  afterAll(async () => {
    await app?.close();
  });

  const send = (endpoint: Endpoint, body: unknown, raw = false) => {
    const request = app
      .api(endpoint.key === 'admin' ? ADMIN_KEY : userKey)
      [endpoint.method](endpoint.path)
      .set('Content-Type', 'application/json');
    return raw ? request.send(body as string) : request.send(body as object);
  };

  it('answers every wrong field value with a 4xx and its code, and changes nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      const fields = Object.keys(endpoint.body);
      const variants: unknown[] = [
        ...fields.flatMap((field) => valuesFor(field).map((value) => ({ ...endpoint.body, [field]: value }))),
        ...fields.map((field) => Object.fromEntries(Object.entries(endpoint.body).filter(([k]) => k !== field))),
        { ...endpoint.body, extra: 'field' },
        { ...endpoint.body, constructor: { prototype: { polluted: true } } },
        [],
        [endpoint.body],
        'a string',
        42,
      ];
      for (const body of variants) {
        // A few variants are valid requests (e.g. a field that is optional left out): skip those.
        if (isValidValue(endpoint, body) || isHarmless(endpoint, body)) continue;
        const response = await send(endpoint, body);
        if (response.status >= 500 || (response.status >= 400 && !response.body?.code)) {
          failures.push(`${endpoint.method.toUpperCase()} ${endpoint.path} ${JSON.stringify(body)?.slice(0, 120)} → ${response.status} ${JSON.stringify(response.body).slice(0, 200)}`);
        }
        if (response.status < 400) {
          failures.push(`accepted: ${endpoint.method.toUpperCase()} ${endpoint.path} ${JSON.stringify(body)?.slice(0, 120)} → ${response.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });

  it('answers malformed and oversize bodies with 400 and 413, changing nothing', async () => {
    const before = await fingerprint();
    for (const endpoint of endpoints) {
      for (const raw of ['{', '{"asset": "BTC",}', 'null', '\u0000', '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}']) {
        const response = await send(endpoint, raw, true);
        expect({ raw: raw.slice(0, 20), status: response.status }).toEqual({ raw: raw.slice(0, 20), status: 400 }); // all under the 4,096-byte limit
        expect(response.body.code).toBeDefined();
      }
      const huge = await send(endpoint, { ...endpoint.body, padding: 'x'.repeat(5000) });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('answers hostile query strings and path parameters with a 4xx', async () => {
    for (const path of [
      '/v1/markets/%00',
      '/v1/markets/BTC/rate-curve?points=-1',
      '/v1/markets/BTC/rate-curve?points=1e3',
      '/v1/markets/BTC/rate-curve?points=99999999999999999999',
      '/v1/markets/BTC/history?from=2026-02-30',
      '/v1/calc/apy?apr[]=1&compounding=daily',
      '/v1/calc/growth?principal=1&apr=0.1&compounding=daily&days=1.5',
      '/v1/accounts/../../etc/passwd',
      `/v1/accounts/${'f'.repeat(5000)}`,
      '/v1/loans/00000000-0000-0000-0000-000000000000/repayments',
    ]) {
      const response = await app.api(userKey).get(path);
      expect({ path, status: response.status < 500 && response.status >= 400 }).toEqual({ path, status: true });
      expect(response.body.code).toBeDefined();
    }
  });
});

/** Values in the hostile list that are legitimate for one field (e.g. a 0% fee): not sent. */
const VALID_VALUES: Record<string, unknown[]> = {
  lendingPeriodDays: [0],
  liquidationFee: ['0'],
  slope1: ['0'],
  'markets:rateModel': [{}],
  'markets:risk': [{}],
};

function isValidValue(endpoint: Endpoint, body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  return Object.entries(body as Record<string, unknown>).some(([field, value]) => {
    if (JSON.stringify(value) === JSON.stringify(endpoint.body[field])) return false;
    const own = (key: string) => (Object.hasOwn(VALID_VALUES, key) ? VALID_VALUES[key] : []);
    const allowed = [...own(field), ...(endpoint.path.includes('markets') ? own(`markets:${field}`) : [])];
    return allowed.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value));
  });
}

/** Names and labels are free text (1-100 characters): only what is not such text is hostile there. */
const FREE_TEXT = ['label', 'name'];
const NOT_TEXT: unknown[] = [null, true, 0, 1.5, '', 'x'.repeat(101), 'x'.repeat(10_000), '\u0000', 'a\u0007b', [], ['1'], {}];

function valuesFor(field: string): unknown[] {
  return FREE_TEXT.includes(field) ? NOT_TEXT : HOSTILE_VALUES;
}

/** Bodies that are legitimately valid for their endpoint (an optional field left out). */
function isHarmless(endpoint: Endpoint, body: unknown): boolean {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return false;
  const keys = Object.keys(body as object);
  const missing = Object.keys(endpoint.body).filter((k) => !keys.includes(k));
  const optional: Record<string, string[]> = {
    deposits: ['network'],
    withdrawals: ['amount'],
    '/v1/users': ['kycStatus'],
    markets: ['rateModel', 'risk'],
    settings: ['lendingPeriodDays', 'liquidationFee'],
  };
  const allowed = Object.entries(optional).find(([part]) => endpoint.path.includes(part))?.[1] ?? [];
  return missing.length === 1 && allowed.includes(missing[0]) && keys.every((k) => k in endpoint.body);
}
