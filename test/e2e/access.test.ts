import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { Route, routeName, routesOf } from '../support/routes.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

type User = Awaited<ReturnType<ReturnType<typeof world>['user']>>;
interface Ids {
  owner: User;
  intruder: User;
  loanId: string;
}
/** A call that would succeed for its rightful caller. */
type Call = { path: string; body?: object };

/**
 * One call for every route of the application (checked against Nest's route metadata below):
 * the access tests below take their endpoint lists from here.
 */
const CALLS: Record<string, (ids: Ids) => Call> = {
  'GET /health': () => ({ path: '/health' }),
  'POST /v1/users': () => ({ path: '/v1/users', body: { name: 'x', kycStatus: 'approved' } }),
  'GET /v1/users/:id': ({ owner }) => ({ path: `/v1/users/${owner.id}` }),
  'PUT /v1/users/:id/kyc': ({ owner }) => ({ path: `/v1/users/${owner.id}/kyc`, body: { status: 'rejected' } }),
  'POST /v1/accounts': () => ({ path: '/v1/accounts', body: { label: 'new' } }),
  'GET /v1/accounts': () => ({ path: '/v1/accounts' }),
  'GET /v1/accounts/:id': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}` }),
  'GET /v1/accounts/:id/transactions': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/transactions` }),
  'GET /v1/accounts/:id/interest': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/interest` }),
  'GET /v1/accounts/:id/history': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/history?from=2026-01-01&to=2026-01-31` }),
  'GET /v1/accounts/:id/notifications': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/notifications` }),
  'POST /v1/accounts/:id/deposits': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/deposits`, body: { asset: 'BTC', amount: '1' } }),
  'POST /v1/accounts/:id/withdrawals': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/withdrawals`, body: { asset: 'USDC' } }),
  'POST /v1/accounts/:id/loans': ({ owner }) => ({ path: `/v1/accounts/${owner.accountId}/loans`, body: { asset: 'USDC', amount: '1' } }),
  'POST /v1/loans/:id/repayments': ({ loanId }) => ({ path: `/v1/loans/${loanId}/repayments`, body: { amount: '1' } }),
  'GET /v1/clock': () => ({ path: '/v1/clock' }),
  'POST /v1/clock/advance': () => ({ path: '/v1/clock/advance', body: { days: 1 } }),
  'GET /v1/prices': () => ({ path: '/v1/prices' }),
  'PUT /v1/prices/:asset': () => ({ path: '/v1/prices/BTC', body: { price: '1' } }),
  'GET /v1/markets': () => ({ path: '/v1/markets' }),
  'GET /v1/markets/:asset': () => ({ path: '/v1/markets/BTC' }),
  'PUT /v1/markets/:asset': () => ({ path: '/v1/markets/BTC', body: { risk: { maxLtv: '0.1' } } }),
  'GET /v1/markets/:asset/rate-curve': () => ({ path: '/v1/markets/BTC/rate-curve' }),
  'GET /v1/markets/:asset/history': () => ({ path: '/v1/markets/BTC/history' }),
  'GET /v1/settings': () => ({ path: '/v1/settings' }),
  'PUT /v1/settings': () => ({ path: '/v1/settings', body: { liquidationFee: '0.01' } }),
  'GET /v1/ledger/check': () => ({ path: '/v1/ledger/check' }),
  'GET /v1/presets': () => ({ path: '/v1/presets' }),
  'GET /v1/presets/:name': () => ({ path: '/v1/presets/nexo' }),
  'POST /v1/presets/:name/apply': () => ({ path: '/v1/presets/nexo/apply' }),
  'POST /v1/scenarios': () => ({ path: '/v1/scenarios', body: { yaml: 'name: x\ndays: 1\nprices: { BTC: "1" }\n' } }),
  'GET /v1/calc/apy': () => ({ path: '/v1/calc/apy?apr=0.1&compounding=daily' }),
  'GET /v1/calc/apr': () => ({ path: '/v1/calc/apr?apy=0.1&compounding=daily' }),
  'GET /v1/calc/real-rate': () => ({ path: '/v1/calc/real-rate?nominal=0.06&inflation=0.04' }),
  'GET /v1/calc/growth': () => ({ path: '/v1/calc/growth?principal=1000&apr=0.1&compounding=daily&days=365' }),
};

/** Routes that act on one customer's account or loan: another user's key must get 404. */
const isAccountScoped = (route: Route) => route.access === 'user' && /^\/v1\/(accounts|loans)\/:id/.test(route.path);

/** Authorization headers that identify no one (undefined: none at all). */
const NOT_A_KEY: (string | undefined)[] = [
  undefined,
  '',
  'Bearer',
  'Bearer ',
  'Bearer ll_unknownkey0123456789',
  `Bearer ${ADMIN_KEY}x`,
  `Bearer ${ADMIN_KEY.slice(0, -1)}`,
  `bearer ${ADMIN_KEY}`,
  `Basic ${Buffer.from(`admin:${ADMIN_KEY}`).toString('base64')}`,
  `Bearer ${ADMIN_KEY} ${ADMIN_KEY}`,
  `Bearer ${'k'.repeat(300)}`,
  'Bearer ll_\u00e9\u00e8',
  ADMIN_KEY,
];

describe('access', () => {
  let app: TestApp;
  let ids: Ids;
  let routes: Route[];

  /** What a refused request must leave exactly as it was. */
  async function snapshot() {
    const prisma = app.get(PrismaService);
    return {
      ledger: (await app.admin.get('/v1/ledger/check').expect(200)).body,
      users: await prisma.user.findMany({ orderBy: { id: 'asc' } }),
      accounts: await prisma.account.findMany({ orderBy: { id: 'asc' } }),
      positions: await prisma.position.findMany({ orderBy: { id: 'asc' } }),
      loans: await prisma.loan.findMany({ orderBy: { id: 'asc' } }),
      markets: await prisma.market.findMany({ orderBy: { asset: 'asc' } }),
      settings: await prisma.settings.findMany(),
      prices: await prisma.pricePoint.count(),
      idempotencyKeys: await prisma.idempotencyKey.count(),
      clock: (await app.admin.get('/v1/clock').expect(200)).body,
    };
  }

  const send = (key: string | undefined, route: Route, call: Call, authorization?: string) => {
    const test = (key ? app.api(key) : app.api())[route.method as 'get' | 'post' | 'put' | 'delete'](call.path);
    if (authorization !== undefined) test.set('Authorization', authorization);
    return call.body ? test.send(call.body) : test;
  };

  beforeAll(async () => {
    // Many deliberate failures below: the limiter has a test of its own, with its own app.
    app = await startTestApp({ AUTH_FAILURE_LIMIT: '1000000' });
    const w = world(app);
    await w.lendingMarket('100000');
    const owner = await w.user('owner');
    const intruder = await w.user('intruder');
    await w.deposit(owner.apiKey, owner.accountId, 'BTC', '1');
    await w.deposit(intruder.apiKey, intruder.accountId, 'BTC', '1');
    const loanId = (await w.borrow(owner.apiKey, owner.accountId, 'USDC', '100')).id;
    ids = { owner, intruder, loanId };
    routes = routesOf(app.app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('has one call in its table for every route the application serves', () => {
    expect(routes.length).toBeGreaterThan(20);
    expect(Object.keys(CALLS).sort()).toEqual(routes.map(routeName).sort());
    // The contract's public endpoints are the only ones without a key.
    expect(routes.filter((route) => route.access === 'public').map(routeName)).toEqual(['GET /health']);
  });

  it('answers another user’s accounts and loans exactly like missing ones (404), changing nothing', async () => {
    const scoped = routes.filter(isAccountScoped);
    expect(scoped.length).toBeGreaterThanOrEqual(8);
    const before = await snapshot();
    for (const route of scoped) {
      const call = CALLS[routeName(route)](ids);
      const missingCall = { ...call, path: call.path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/, '00000000-0000-4000-8000-000000000000') };
      for (const idempotencyKey of [undefined, 'intruder-1']) {
        const theirs = await send(ids.intruder.apiKey, route, call).set(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});
        const missing = await send(ids.intruder.apiKey, route, missingCall);
        expect({ route: routeName(route), status: theirs.status, body: theirs.body }).toEqual({
          route: routeName(route),
          status: 404,
          body: { ...missing.body, statusCode: 404, code: 'NOT_FOUND' },
        });
      }
    }
    expect(await snapshot()).toEqual(before);
    // The owner is still served (the 404s were about the caller, not the account).
    await app.api(ids.owner.apiKey).get(`/v1/accounts/${ids.owner.accountId}`).expect(200);
  });

  it('lists only the caller’s own accounts and opens accounts only for the caller', async () => {
    const listed = (await app.api(ids.intruder.apiKey).get('/v1/accounts').expect(200)).body as { id: string; userId: string }[];
    expect(listed.map((account) => account.id)).toEqual([ids.intruder.accountId]);
    const before = await snapshot();
    const forOwner = await app.api(ids.intruder.apiKey).post('/v1/accounts').send({ label: 'mine now', userId: ids.owner.id });
    expect([forOwner.status, forOwner.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps every admin endpoint from user keys (403), changing nothing', async () => {
    const adminRoutes = routes.filter((route) => route.access === 'admin');
    expect(adminRoutes.map(routeName)).toEqual(
      expect.arrayContaining(['POST /v1/users', 'PUT /v1/users/:id/kyc', 'POST /v1/clock/advance', 'PUT /v1/prices/:asset', 'PUT /v1/markets/:asset', 'PUT /v1/settings', 'GET /v1/ledger/check', 'POST /v1/scenarios', 'POST /v1/presets/:name/apply']),
    );
    const before = await snapshot();
    for (const route of adminRoutes) {
      const response = await send(ids.owner.apiKey, route, CALLS[routeName(route)](ids));
      expect({ route: routeName(route), status: response.status, code: response.body.code, message: typeof response.body.message }).toEqual({
        route: routeName(route),
        status: 403,
        code: 'FORBIDDEN',
        message: 'string',
      });
    }
    expect(await snapshot()).toEqual(before);
  });

  it('answers every keyed route 401 UNAUTHENTICATED without a valid key, changing nothing', async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const route of routes.filter((r) => r.access !== 'public')) {
      const call = CALLS[routeName(route)](ids);
      for (const authorization of NOT_A_KEY) {
        const response = await send(undefined, route, call, authorization);
        const body = response.body as { statusCode?: number; code?: string; message?: unknown; details?: unknown };
        if (response.status !== 401 || body.code !== 'UNAUTHENTICATED' || body.statusCode !== 401 || typeof body.message !== 'string' || !body.details) {
          wrong.push(`${routeName(route)} with ${JSON.stringify(authorization)?.slice(0, 40)} → ${response.status} ${JSON.stringify(body).slice(0, 100)}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
    for (const route of routes.filter((r) => r.access === 'public')) await send(undefined, route, CALLS[routeName(route)](ids)).expect(200);
  });

  it('refuses a revoked key at once on every keyed route, the movement routes whose guard caches keys included, changing nothing', async () => {
    const w = world(app);
    const revoked = await w.user('revoked');
    await w.deposit(revoked.apiKey, revoked.accountId, 'BTC', '1');
    const keys = app.get(PrismaService).apiKey;
    const own = { ...ids, owner: revoked };
    const calls: [string, Call][] = [
      ...routes.filter((r) => r.access === 'user').map((route): [string, Call] => [routeName(route), CALLS[routeName(route)](own)]),
      // Answers that would come before a movement reads the key: a bad body, an unknown asset, a loan of another user.
      ['POST a bad deposit body', { path: `/v1/accounts/${revoked.accountId}/deposits`, body: { asset: 'BTC', amount: '-1' } }],
      ['POST a deposit of an unknown asset', { path: `/v1/accounts/${revoked.accountId}/deposits`, body: { asset: 'NOPE', amount: '1' } }],
      ['POST a withdrawal of a locked position', { path: `/v1/accounts/${revoked.accountId}/withdrawals`, body: { asset: 'BTC' } }],
    ];
    const before = await snapshot();
    const wrong: string[] = [];
    for (const [name, call] of calls) {
      // Each time seen live just before (every successful key lookup fills the guard's cache), then revoked.
      await keys.updateMany({ where: { userId: revoked.id }, data: { revokedAt: null } });
      await app.api(revoked.apiKey).get(`/v1/accounts/${revoked.accountId}`).expect(200);
      await keys.updateMany({ where: { userId: revoked.id }, data: { revokedAt: new Date() } });
      const method = (/^(GET|POST|PUT|DELETE) /.exec(name)?.[1] ?? 'POST').toLowerCase() as 'get' | 'post' | 'put' | 'delete';
      const test = app.api(revoked.apiKey)[method](call.path);
      const response = await (call.body ? test.send(call.body) : test);
      if (response.status !== 401 || response.body.code !== 'UNAUTHENTICATED') wrong.push(`${name} → ${response.status} ${JSON.stringify(response.body).slice(0, 100)}`);
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });

  it('stores API keys only as hashes: no raw key in any column of any table', async () => {
    const prisma = app.get(PrismaService);
    const keys = [ids.owner.apiKey, ids.intruder.apiKey, ADMIN_KEY];
    const columns = await prisma.$queryRaw<{ table_name: string; column_name: string }[]>`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`;
    expect(columns.length).toBeGreaterThan(30);
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      for (const key of keys) {
        const [{ n }] = await prisma.$queryRawUnsafe<{ n: bigint }[]>(
          `SELECT count(*) AS n FROM "${table}" WHERE strpos("${column}"::text, $1) > 0`,
          key,
        );
        if (n > 0n) found.push(`${table}.${column} holds ${key.slice(0, 6)}…`);
      }
    }
    expect(found).toEqual([]);
    // What is stored is the key's SHA-256, hex, and nothing longer than a display prefix of it.
    const stored = await prisma.apiKey.findMany({ where: { userId: ids.owner.id } });
    expect(stored).toHaveLength(1);
    expect(stored[0].keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(ids.owner.apiKey.startsWith(stored[0].prefix)).toBe(true);
    expect(stored[0].prefix.length).toBeLessThanOrEqual(10);
  });

  it('sends helmet’s security headers on every kind of answer, and no X-Powered-By', async () => {
    const answers = [
      ['a JSON answer', await app.api(ids.owner.apiKey).get('/v1/markets').expect(200)],
      ['a 401', await app.api().get('/v1/markets').expect(401)],
      ['a 404', await app.api(ids.owner.apiKey).get('/v1/no-such-thing').expect(404)],
      ['a 400', await app.api(ids.owner.apiKey).post(`/v1/accounts/${ids.owner.accountId}/deposits`).send({ asset: 'BTC', amount: '-1' }).expect(400)],
      ['a malformed body', await app.api(ids.owner.apiKey).post('/v1/accounts').set('Content-Type', 'application/json').send('{').expect(400)],
      ['health', await app.api().get('/health').expect(200)],
    ] as const;
    for (const [what, response] of answers) {
      const headers = response.headers;
      expect({ what, poweredBy: headers['x-powered-by'] }).toEqual({ what, poweredBy: undefined });
      expect({ what, nosniff: headers['x-content-type-options'] }).toEqual({ what, nosniff: 'nosniff' });
      expect({ what, hsts: headers['strict-transport-security'] }).toEqual({ what, hsts: expect.stringMatching(/max-age=(\d{8,}|[1-9]\d{6,})/) });
      expect({ what, frameOptions: headers['x-frame-options'] }).toEqual({ what, frameOptions: expect.stringMatching(/^(SAMEORIGIN|DENY)$/) });
      expect({ what, referrer: headers['referrer-policy'] }).toEqual({ what, referrer: 'no-referrer' });
      expect({ what, coop: headers['cross-origin-opener-policy'] }).toEqual({ what, coop: 'same-origin' });
      expect({ what, corp: headers['cross-origin-resource-policy'] }).toEqual({ what, corp: 'same-origin' });
      const csp = String(headers['content-security-policy'] ?? '');
      expect({ what, csp: /default-src 'self'/.test(csp) && /frame-ancestors '(self|none)'/.test(csp) && /object-src 'none'/.test(csp) }).toEqual({ what, csp: true });
    }
    // The documentation pages run their own scripts, so no strict CSP there; the rest still applies.
    for (const path of ['/docs', '/docs-json']) {
      const docs = await app.api().get(path).expect(200);
      expect({ path, poweredBy: docs.headers['x-powered-by'] }).toEqual({ path, poweredBy: undefined });
      expect({ path, nosniff: docs.headers['x-content-type-options'] }).toEqual({ path, nosniff: 'nosniff' });
      expect({ path, frameOptions: docs.headers['x-frame-options'] }).toEqual({ path, frameOptions: expect.stringMatching(/^(SAMEORIGIN|DENY)$/) });
      expect({ path, hsts: docs.headers['strict-transport-security'] }).toEqual({ path, hsts: expect.stringContaining('max-age=') });
    }
  });
});

describe('access: the limit on authentication failures', () => {
  let app: TestApp;
  let key: string;
  const LIMIT = 3;
  const WINDOW_SECONDS = 2;

  beforeAll(async () => {
    app = await startTestApp({ RUN_WORKERS: 'false', AUTH_FAILURE_LIMIT: String(LIMIT), AUTH_FAILURE_WINDOW_SECONDS: String(WINDOW_SECONDS) });
    key = (await world(app).user('valid')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 429 RATE_LIMITED after N failures from one client, serves valid keys meanwhile, and forgets when the window ends', async () => {
    const fail = (header: Record<string, string> = {}) => app.api('ll_wrong-key').get('/v1/accounts').set(header);
    const started = Date.now();
    for (let i = 0; i < LIMIT; i += 1) expect((await fail()).status).toBe(401);
    for (const headers of [{}, { 'X-Forwarded-For': '10.9.8.7' }, { 'X-Real-IP': '10.9.8.6' }] as Record<string, string>[]) {
      const limited = await fail(headers);
      expect({ headers, status: limited.status, body: limited.body }).toEqual({
        headers,
        status: 429,
        body: { statusCode: 429, code: 'RATE_LIMITED', message: expect.any(String), details: expect.any(Object) },
      });
    }
    // No key at all counts as a failure too.
    expect((await app.api().get('/v1/accounts')).status).toBe(429);
    // A valid key is never refused, and does not reset the count.
    await app.api(key).get('/v1/accounts').expect(200);
    await app.api(ADMIN_KEY).get('/v1/ledger/check').expect(200);
    expect((await fail()).status).toBe(429);
    expect(Date.now() - started).toBeLessThan(WINDOW_SECONDS * 1000); // all of the above inside one window
    await new Promise((resolve) => setTimeout(resolve, WINDOW_SECONDS * 1000 + 200));
    expect((await fail()).status).toBe(401);
  });
});
