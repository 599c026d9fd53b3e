import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, TestApp, ADMIN_KEY } from '../support/test-app.js';
import { world } from '../support/world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { Route, routeName, routesOf } from '../support/routes.js';

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
  '1000000000000000',
  '0.000000001',
  '-0',
  '00',
  '.5',
  '1.',
  ' 1',
  '1 ',
  '1e-3',
  '-Infinity',
  '\u0661',
  1e3,
  -0.5,
  Number.MAX_SAFE_INTEGER + 2,
  1e308,
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

/**
 * Strings that are wrong wherever a code, an amount, an id, a date or a number is expected:
 * unicode look-alikes, right-to-left text, NUL, emoji, a lone surrogate, byte-order marks and
 * zero-width characters around a valid value, injections, and 100,000 characters.
 */
const ODD_STRINGS: string[] = [
  '\u202eCTB',
  '\u0645\u0631\u062d\u0628\u0627',
  '\u{1F4B8}\u{1F525}',
  'BTC\u{1F4B8}',
  'e\u0301',
  '\u0000',
  '1\u0000',
  'BTC\u0000',
  '\ud800',
  '\ufeffBTC',
  'BTC\u200b',
  'ＢＴＣ',
  'btc',
  ' BTC',
  'BTC\n',
  '%00',
  '../../etc/passwd',
  '${7*7}{{7*7}}',
  '\\',
  '"\'',
  'null',
  '__proto__',
  'constructor',
  'toString',
  'x'.repeat(100_000),
  '9'.repeat(100_000),
];
/** Free text (names, labels): of the odd strings, only these are not text and must be refused. */
const ODD_NOT_TEXT = ['\u0000', '1\u0000', 'BTC\u0000', 'BTC\n', 'x'.repeat(100_000), '9'.repeat(100_000)];
/** Free text that must be taken verbatim. */
const ODD_BUT_TEXT = ['\u202eCTB', '\u0645\u0631\u062d\u0628\u0627', '\u{1F4B8}\u{1F525}', 'e\u0301', '\ufeffx', 'x\u200b', 'ＢＴＣ', '${7*7}{{7*7}}', "'; DROP TABLE users; --", '<script>alert(1)</script>', '%00', '\\'];

/** The query parameters each GET route reads, with a valid value for each. */
const QUERIES: Record<string, Record<string, string>> = {
  'GET /v1/accounts/:id/transactions': { limit: '10' },
  'GET /v1/accounts/:id/interest': { from: '2026-01-01', to: '2026-01-31' },
  'GET /v1/accounts/:id/history': { from: '2026-01-01', to: '2026-01-31' },
  'GET /v1/markets/:asset/rate-curve': { points: '21' },
  'GET /v1/markets/:asset/history': { from: '2026-01-01', to: '2026-01-31' },
  'GET /v1/calc/apy': { apr: '0.1', compounding: 'daily' },
  'GET /v1/calc/apr': { apy: '0.1', compounding: 'daily' },
  'GET /v1/calc/real-rate': { nominal: '0.06', inflation: '0.04' },
  'GET /v1/calc/growth': { principal: '1000', apr: '0.1', compounding: 'daily', days: '365' },
  'PUT /v1/prices/:asset': { wait: 'false' },
};

/** Large enough for 100,000-character fields to reach validation; the oversize test goes past it. */
const BODY_LIMIT = 262_144;

describe('hostile input', () => {
  jest.setTimeout(180_000); // a few thousand requests per test
  let app: TestApp;
  let endpoints: Endpoint[];
  let userKey: string;
  let user: { id: string; apiKey: string; accountId: string };
  let loanId: string;
  let routes: Route[];

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
      apiKeys: await prisma.apiKey.count(),
      idempotencyKeys: await prisma.idempotencyKey.count(),
      notifications: await prisma.notification.count(),
      ledgerTransactions: await prisma.ledgerTransaction.count(),
      markets: await prisma.market.findMany({ orderBy: { asset: 'asc' } }),
      settings: await prisma.settings.findMany(),
      clock: (await app.admin.get('/v1/clock')).body,
    };
  }

  beforeAll(async () => {
    app = await startTestApp({ BODY_LIMIT_BYTES: String(BODY_LIMIT), AUTH_FAILURE_LIMIT: '1000000' });
    const w = world(app);
    await w.price('BTC', '50000');
    await w.price('USDC', '1');
    user = await w.user('target');
    userKey = user.apiKey;
    await w.deposit(user.apiKey, user.accountId, 'USDC', '100000');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    const loan = await w.borrow(user.apiKey, user.accountId, 'USDC', '1000');
    loanId = loan.id;
    routes = routesOf(app.app);
    endpoints = [
      { method: 'post', path: `/v1/accounts/${user.accountId}/deposits`, body: { asset: 'BTC', amount: '1', network: 'bitcoin' }, key: 'user' },
      { method: 'post', path: `/v1/accounts/${user.accountId}/withdrawals`, body: { asset: 'BTC', amount: '1' }, key: 'user' },
      { method: 'post', path: `/v1/accounts/${user.accountId}/loans`, body: { asset: 'USDC', amount: '100' }, key: 'user' },
      { method: 'post', path: `/v1/loans/${loan.id}/repayments`, body: { amount: '10' }, key: 'user' },
      { method: 'post', path: '/v1/accounts', body: { label: 'x' }, key: 'user' },
      { method: 'post', path: '/v1/accounts', body: { label: 'x', userId: user.id }, key: 'admin' },
      { method: 'post', path: '/v1/scenarios', body: { yaml: 'name: x\ndays: 1\nprices: { BTC: "1" }\n' }, key: 'admin' },
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
        expect({ raw: raw.slice(0, 20), status: response.status }).toEqual({ raw: raw.slice(0, 20), status: 400 }); // all under the body limit
        expect(response.body.code).toBeDefined();
      }
      const huge = await send(endpoint, { ...endpoint.body, padding: 'x'.repeat(BODY_LIMIT + 1) });
      expect(huge.status).toBe(413);
      expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
    }
    expect(await fingerprint()).toEqual(before);
  });

  /** A valid request for every route (checked against Nest's routes below): the base the hostile variants change. */
  const valid = (): Record<string, { path: string; key: 'user' | 'admin' | 'none'; body?: Record<string, unknown> }> => ({
    'GET /health': { path: '/health', key: 'none' },
    'POST /v1/users': { path: '/v1/users', key: 'admin', body: { name: 'x' } },
    'GET /v1/users/:id': { path: `/v1/users/${user.id}`, key: 'admin' },
    'PUT /v1/users/:id/kyc': { path: `/v1/users/${user.id}/kyc`, key: 'admin', body: { status: 'approved' } },
    'POST /v1/accounts': { path: '/v1/accounts', key: 'user', body: { label: 'x' } },
    'GET /v1/accounts': { path: '/v1/accounts', key: 'user' },
    'GET /v1/accounts/:id': { path: `/v1/accounts/${user.accountId}`, key: 'user' },
    'GET /v1/accounts/:id/transactions': { path: `/v1/accounts/${user.accountId}/transactions`, key: 'user' },
    'GET /v1/accounts/:id/interest': { path: `/v1/accounts/${user.accountId}/interest`, key: 'user' },
    'GET /v1/accounts/:id/history': { path: `/v1/accounts/${user.accountId}/history`, key: 'user' },
    'GET /v1/accounts/:id/notifications': { path: `/v1/accounts/${user.accountId}/notifications`, key: 'user' },
    'POST /v1/accounts/:id/deposits': { path: `/v1/accounts/${user.accountId}/deposits`, key: 'user', body: { asset: 'BTC', amount: '1' } },
    'POST /v1/accounts/:id/withdrawals': { path: `/v1/accounts/${user.accountId}/withdrawals`, key: 'user', body: { asset: 'BTC' } },
    'POST /v1/accounts/:id/loans': { path: `/v1/accounts/${user.accountId}/loans`, key: 'user', body: { asset: 'USDC', amount: '1' } },
    'POST /v1/loans/:id/repayments': { path: `/v1/loans/${loanId}/repayments`, key: 'user', body: { amount: '1' } },
    'GET /v1/clock': { path: '/v1/clock', key: 'user' },
    'POST /v1/clock/advance': { path: '/v1/clock/advance', key: 'admin', body: { days: 1 } },
    'GET /v1/prices': { path: '/v1/prices', key: 'user' },
    'PUT /v1/prices/:asset': { path: '/v1/prices/BTC', key: 'admin', body: { price: '50000' } },
    'GET /v1/markets': { path: '/v1/markets', key: 'user' },
    'GET /v1/markets/:asset': { path: '/v1/markets/BTC', key: 'user' },
    'PUT /v1/markets/:asset': { path: '/v1/markets/BTC', key: 'admin', body: { risk: { maxLtv: '0.5' } } },
    'GET /v1/markets/:asset/rate-curve': { path: '/v1/markets/BTC/rate-curve', key: 'user' },
    'GET /v1/markets/:asset/history': { path: '/v1/markets/BTC/history', key: 'user' },
    'GET /v1/settings': { path: '/v1/settings', key: 'user' },
    'PUT /v1/settings': { path: '/v1/settings', key: 'admin', body: { lendingPeriodDays: 7 } },
    'GET /v1/ledger/check': { path: '/v1/ledger/check', key: 'admin' },
    'GET /v1/presets': { path: '/v1/presets', key: 'user' },
    'GET /v1/presets/:name': { path: '/v1/presets/nexo', key: 'user' },
    'POST /v1/presets/:name/apply': { path: '/v1/presets/lendlab/apply', key: 'admin' },
    'POST /v1/scenarios': { path: '/v1/scenarios', key: 'admin', body: { yaml: 'name: x' } },
    'GET /v1/calc/apy': { path: '/v1/calc/apy', key: 'user' },
    'GET /v1/calc/apr': { path: '/v1/calc/apr', key: 'user' },
    'GET /v1/calc/real-rate': { path: '/v1/calc/real-rate', key: 'user' },
    'GET /v1/calc/growth': { path: '/v1/calc/growth', key: 'user' },
  });

  const keyOf = (who: 'user' | 'admin' | 'none') => (who === 'admin' ? ADMIN_KEY : who === 'user' ? userKey : undefined);
  const isContractError = (response: { status: number; body: unknown }) => {
    const body = response.body as { statusCode?: unknown; code?: unknown; message?: unknown };
    return response.status >= 400 && response.status < 500 && body?.statusCode === response.status && typeof body.code === 'string' && /^[A-Z_]+$/.test(body.code) && typeof body.message === 'string' && body.message.length > 0;
  };
  const show = (response: { status: number; body: unknown; text?: string }) => `${response.status} ${JSON.stringify(response.body ?? response.text ?? '').slice(0, 160)}`;

  it('covers every route: each body-reading route is in the body table, each query parameter in the query table', () => {
    expect(Object.keys(valid()).sort()).toEqual(routes.map(routeName).sort());
    const withBody = routes.filter((route) => route.body).map(routeName).sort();
    const inTable = [...new Set(endpoints.map((endpoint) => routeName({ method: endpoint.method, path: routePattern(endpoint.path) })))].sort();
    expect(inTable).toEqual(withBody);
    expect(Object.fromEntries(routes.filter((route) => route.query.length > 0).map((route) => [routeName(route), route.query]))).toEqual(
      Object.fromEntries(Object.entries(QUERIES).map(([name, params]) => [name, Object.keys(params).sort()])),
    );
  });

  it('answers odd strings in every body field with a 4xx and its code, changing nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    for (const endpoint of endpoints) {
      for (const field of leafFields(endpoint.body)) {
        const values = FREE_TEXT.includes(field.name) ? ODD_NOT_TEXT : ODD_STRINGS;
        for (const value of values) {
          const response = await send(endpoint, field.set(value));
          if (!isContractError(response)) failures.push(`${endpoint.method.toUpperCase()} ${endpoint.path} ${field.name}=${JSON.stringify(value).slice(0, 30)} → ${show(response)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });

  it('takes odd but printable names and labels verbatim', async () => {
    for (const text of ODD_BUT_TEXT) {
      const created = await app.admin.post('/v1/users').send({ name: text }).expect(201);
      expect((await app.admin.get(`/v1/users/${created.body.id}`).expect(200)).body.name).toBe(text);
      const account = await app.api(created.body.apiKey).post('/v1/accounts').send({ label: text }).expect(201);
      expect(account.body.label).toBe(text);
    }
  });

  it('answers odd path parameters on every route with a 4xx and its code, changing nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    const raw = ['%', '%E0%A4%A', '%FF', '..', '%2e%2e', '%2F', '00000000-0000-0000-0000-000000000000', 'f'.repeat(5000), '-1', '0', '1e3'];
    for (const route of routes.filter((r) => r.path.includes(':'))) {
      const call = valid()[routeName(route)];
      const segments = route.path.split('/');
      const concrete = call.path.split('?')[0].split('/');
      for (const [index, segment] of segments.entries()) {
        if (!segment.startsWith(':')) continue;
        for (const value of [...ODD_STRINGS.map(encode), ...raw]) {
          const path = concrete.map((part, i) => (i === index ? value : part)).join('/');
          const test = app.api(keyOf(call.key))[route.method as 'get'](path);
          const response = await (call.body ? test.send(call.body) : test);
          if (!isContractError(response)) failures.push(`${routeName(route)} ${segment}=${value.slice(0, 30)} → ${show(response)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });

  it('answers odd query parameters on every route that reads them with a 4xx and its code, changing nothing', async () => {
    const before = await fingerprint();
    const failures: string[] = [];
    const extra = ['', '-1', '1e3', '1.5', 'NaN', 'Infinity', '2026-02-30', '2026-1-1', '2026-01-01T00:00:00Z', '99999999999999999999'];
    for (const [name, params] of Object.entries(QUERIES)) {
      const route = routes.find((r) => routeName(r) === name)!;
      const call = valid()[name];
      for (const param of Object.keys(params)) {
        const variants: string[] = [
          ...[...ODD_STRINGS, ...extra].filter((value) => !(QUERY_VALID[param] ?? []).includes(value)).map((value) => `${param}=${encode(value)}`),
          `${param}=${params[param]}&${param}=${params[param]}`, // a repeated parameter arrives as an array
        ];
        for (const variant of variants) {
          const others = Object.entries(params).filter(([other]) => other !== param).map(([other, value]) => `${other}=${value}`);
          const path = `${call.path}?${[variant, ...others].join('&')}`;
          const test = app.api(keyOf(call.key))[route.method as 'get'](path);
          const response = await (call.body ? test.send(call.body) : test);
          if (!isContractError(response)) failures.push(`${name} ${variant.slice(0, 40)} → ${show(response)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(await fingerprint()).toEqual(before);
  });

  it('answers a bad Idempotency-Key (empty, 256 or 100,000 characters) with a 4xx and its code, changing nothing', async () => {
    const before = await fingerprint();
    for (const endpoint of endpoints.filter((e) => /deposits|withdrawals|loans|repayments|accounts$/.test(e.path) && e.key === 'user')) {
      for (const key of ['', ' ', 'k'.repeat(256), 'k'.repeat(100_000)]) {
        const response = await send(endpoint, endpoint.body).set('Idempotency-Key', key);
        expect({ path: endpoint.path, key: key.slice(0, 10), length: key.length, ok: isContractError(response), response: show(response) }).toEqual({
          path: endpoint.path,
          key: key.slice(0, 10),
          length: key.length,
          ok: true,
          response: expect.any(String),
        });
      }
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
  lendingPeriodDays: [0, 1e3],
  days: [1e3],
  liquidationFee: ['0'],
  slope1: ['0'],
  price: ['0.000000001'],
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

/** Query values that are legitimately valid for a parameter: not sent as hostile. */
const QUERY_VALID: Record<string, string[]> = {
  apr: ['1.5'],
  apy: ['1.5'],
  nominal: ['1.5'],
  inflation: ['1.5'],
  principal: ['1.5'],
};

/** `/v1/accounts/<uuid>/deposits` → `/v1/accounts/:id/deposits` (and `/v1/prices/BTC` → `/v1/prices/:asset`). */
function routePattern(path: string): string {
  return path
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id')
    .replace(/^\/v1\/(prices|markets)\/[A-Z]+/, '/v1/$1/:asset');
}

/** Each string-or-scalar leaf of a body (nested ones too: `risk.maxLtv`), with a setter returning a changed copy. */
function leafFields(body: Record<string, unknown>, prefix: string[] = []): { name: string; set(value: unknown): Record<string, unknown> }[] {
  return Object.entries(body).flatMap(([key, value]) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return leafFields(value as Record<string, unknown>, [...prefix, key]).map((leaf) => ({
        name: leaf.name,
        set: (v: unknown) => setPath(body, [key], leaf.set(v)),
      }));
    }
    return [{ name: key, set: (v: unknown) => ({ ...body, [key]: v }) }];
  });
}

function setPath(body: Record<string, unknown>, path: string[], inner: Record<string, unknown>): Record<string, unknown> {
  return { ...body, [path[0]]: inner };
}

/** encodeURIComponent, and for a lone surrogate (which it refuses) the bytes a careless client would send. */
function encode(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
}
