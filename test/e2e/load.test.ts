import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ADMIN_KEY, startTestApp, TestApp } from '../support/test-app.js';
import { AppProcess, startAppProcess } from '../support/app-process.js';
import { seededRandom } from '../../src/common/random/seeded-random.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { Decimal } from '../../src/common/money/decimal.js';

/**
 * A sustained mixed workload over real HTTP against LendLab running as its own process (API and
 * workers, main.js): many users depositing (with idempotency keys, some replayed, some sent twice
 * at once), reading, borrowing and repaying within their limits, withdrawing matured positions;
 * an admin moving prices a little and advancing the clock. Then: no 5xx at all, enough money
 * moved that the run did something, the ledger balanced, no customer balance on the wrong side,
 * and each position's principal equal to the deposits the 201s say were applied.
 *
 * Duration: LOAD_SECONDS (default 120). Users: LOAD_USERS (default 12). Seed: LOAD_SEED.
 *   LOAD_SECONDS=20 NODE_OPTIONS="--experimental-vm-modules --no-warnings" npx jest test/e2e/load.test.ts
 */
const SECONDS = Number(process.env.LOAD_SECONDS ?? 120);
const USERS = Number(process.env.LOAD_USERS ?? 12);
const SEED = Number(process.env.LOAD_SEED ?? 20260101);

const BASE_PRICES: Record<string, number> = { BTC: 50_000, ETH: 3_000, USDC: 1 };
/** Deposit sizes in the asset's smallest units [min, max] and its decimals. */
const DEPOSITS: Record<string, { decimals: number; min: number; max: number }> = {
  BTC: { decimals: 8, min: 1_000_000, max: 20_000_000 }, // 0.01-0.2
  ETH: { decimals: 18, min: 1, max: 3 }, // whole units below, scaled by 10^16: 0.01-0.03 (18 decimals exercised)
  USDC: { decimals: 6, min: 10_000_000, max: 2_000_000_000 }, // 10-2,000
};

type Kind =
  | 'deposit'
  | 'deposit-replay'
  | 'deposit-twin'
  | 'withdrawal'
  | 'withdrawal-locked'
  | 'borrow'
  | 'borrow-too-large'
  | 'repay'
  | 'read'
  | 'price'
  | 'advance'
  | 'ledger-check';

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('load: a sustained mixed workload', () => {
  let app: TestApp;
  let server: AppProcess;
  let base: string;

  /** Every answer by kind and status ("borrow 201": 40), and what went wrong. */
  const counts = new Map<string, number>();
  const problems: string[] = [];
  /** Bumped when a clock advance starts and when it ends: odd while one is in flight. */
  let clockMoves = 0;
  const count = (kind: Kind, status: number | string) => counts.set(`${kind} ${status}`, (counts.get(`${kind} ${status}`) ?? 0) + 1);
  const tally = (kind: Kind, status: number) =>
    [...counts].filter(([key]) => key === `${kind} ${status}`).reduce((sum, [, n]) => sum + n, 0);

  async function call(kind: Kind, key: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      count(kind, 'network-error');
      problems.push(`${method} ${path}: ${(error as Error).message}`);
      return { status: 0, body: undefined };
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    count(kind, response.status);
    if (response.status >= 500) problems.push(`${response.status} ${method} ${path} ${JSON.stringify(body)}: ${text.slice(0, 300)}`);
    if (response.status >= 400 && !(parsed as { code?: string })?.code) problems.push(`no code: ${response.status} ${method} ${path}: ${text.slice(0, 200)}`);
    return { status: response.status, body: parsed };
  }

  beforeAll(async () => {
    // The test's own app only prepares the world and reads the database; the load goes to a
    // separate process with its workers, over a real socket.
    app = await startTestApp({ RUN_WORKERS: 'false' });
    server = await startAppProcess(app, 'api');
    base = server.url!;
    for (const [asset, price] of Object.entries(BASE_PRICES)) await app.admin.put(`/v1/prices/${asset}`).send({ price: String(price) }).expect(200);
    // Positions mature a day after their last deposit, so the clock advances below free some.
    await app.admin.put('/v1/settings').send({ lendingPeriodDays: 1 }).expect(200);
  }, 120_000);
  afterAll(async () => {
    await server?.kill('SIGTERM');
    await app?.close();
  });

  it(
    `runs for ${SECONDS} s without a 5xx and leaves the ledger whole`,
    async () => {
      const random = seededRandom(SEED);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));

      // A lender so there is liquidity to borrow, and the users.
      const lender = (await app.admin.post('/v1/users').send({ name: 'lender', kycStatus: 'approved' }).expect(201)).body;
      const users: { name: string; key: string; accountId: string }[] = [];
      for (let i = 0; i < USERS; i += 1) {
        const body = (await app.admin.post('/v1/users').send({ name: `load-${i}`, kycStatus: 'approved' }).expect(201)).body;
        users.push({ name: body.name, key: body.apiKey, accountId: body.accounts[0].id });
      }

      /** What the 201s say each (account, asset) position's principal is. */
      const expected = new Map<string, Decimal>();
      const expectedKey = (accountId: string, asset: string) => `${accountId} ${asset}`;
      const applied = (accountId: string, asset: string, amount: Decimal) =>
        expected.set(expectedKey(accountId, asset), (expected.get(expectedKey(accountId, asset)) ?? new Decimal(0)).plus(amount));
      const depositsApplied = new Map<string, number>();

      const lenderDeposit = await call('deposit', lender.apiKey, 'POST', `/v1/accounts/${lender.accounts[0].id}/deposits`, { asset: 'USDC', amount: '5000000' }, { 'idempotency-key': 'lender-1' });
      expect(lenderDeposit.status).toBe(201);
      applied(lender.accounts[0].id, 'USDC', new Decimal('5000000'));
      depositsApplied.set(lender.accounts[0].id, 1);

      const deadline = Date.now() + SECONDS * 1000;

      async function userLoop(user: (typeof users)[number], index: number): Promise<void> {
        const sent: { key: string; body: { asset: string; amount: string }; reply: Reply }[] = [];
        let serial = 0;
        const deposit = async (body: { asset: string; amount: string }, idempotencyKey: string): Promise<Reply> =>
          call('deposit', user.key, 'POST', `/v1/accounts/${user.accountId}/deposits`, body, { 'idempotency-key': idempotencyKey });
        const onApplied = (body: { asset: string; amount: string }) => {
          applied(user.accountId, body.asset, new Decimal(body.amount));
          depositsApplied.set(user.accountId, (depositsApplied.get(user.accountId) ?? 0) + 1);
        };
        while (Date.now() < deadline) {
          const roll = random();
          if (roll < 0.3) {
            // A new deposit; now and then two copies of it at once (one effect, same answer).
            const asset = pick(Object.keys(DEPOSITS));
            const { decimals, min, max } = DEPOSITS[asset];
            const units = asset === 'ETH' ? new Decimal(between(min, max)).times('1e16').plus(between(0, 999)) : new Decimal(between(min, max));
            const body = { asset, amount: units.div(new Decimal(10).pow(decimals)).toFixed() };
            const key = `${user.name}-${(serial += 1)}`;
            const twin = random() < 0.15;
            const replies = twin ? await Promise.all([deposit(body, key), deposit(body, key)]) : [await deposit(body, key)];
            if (twin) {
              count('deposit-twin', replies[0].status);
              if (JSON.stringify(replies[0]) !== JSON.stringify(replies[1])) problems.push(`twins differ: ${JSON.stringify(replies)}`);
            }
            if (replies[0].status === 201) onApplied(body);
            else if (replies[0].status >= 500 || replies[0].status === 0) continue;
            else problems.push(`deposit refused: ${replies[0].status} ${JSON.stringify(replies[0].body)}`);
            sent.push({ key, body, reply: replies[0] });
          } else if (roll < 0.38 && sent.length > 0) {
            // A replay of an earlier deposit: the same answer, no second effect.
            const earlier = pick(sent);
            const replay = await call('deposit-replay', user.key, 'POST', `/v1/accounts/${user.accountId}/deposits`, earlier.body, { 'idempotency-key': earlier.key });
            if (JSON.stringify(replay) !== JSON.stringify(earlier.reply)) problems.push(`replay differs: ${JSON.stringify(earlier.reply)} then ${JSON.stringify(replay)}`);
          } else if (roll < 0.62) {
            await call('read', user.key, 'GET', pick([
              `/v1/accounts/${user.accountId}`,
              `/v1/accounts/${user.accountId}/transactions`,
              `/v1/accounts/${user.accountId}/interest`,
              `/v1/accounts/${user.accountId}/notifications`,
              '/v1/accounts',
              '/v1/markets',
              `/v1/markets/${pick(Object.keys(BASE_PRICES))}`,
              `/v1/markets/USDC/history`,
              '/v1/prices',
              '/v1/clock',
            ]));
          } else if (roll < 0.75) {
            // Borrow USDC within the limit (kept far below it so no price move liquidates anyone), or now and then far beyond it.
            const view = await call('read', user.key, 'GET', `/v1/accounts/${user.accountId}`);
            if (view.status !== 200) continue;
            if (view.body.maxLtv === null) continue; // nothing deposited yet
            const collateral = new Decimal(view.body.collateralValue);
            const debt = new Decimal(view.body.debtValue);
            const headroom = collateral.times(view.body.maxLtv).times('0.4').minus(debt);
            if (random() < 0.15 && collateral.gt(0)) {
              const tooMuch = collateral.times(2).plus(1000).toFixed(2);
              const refused = await call('borrow-too-large', user.key, 'POST', `/v1/accounts/${user.accountId}/loans`, { asset: 'USDC', amount: tooMuch }, { 'idempotency-key': `${user.name}-${(serial += 1)}` });
              if (refused.status !== 409) problems.push(`a borrow past the limit got ${refused.status} ${JSON.stringify(refused.body)}`);
            } else if (headroom.gt(5)) {
              const amount = headroom.times(between(5, 30)).div(100).toFixed(2, Decimal.ROUND_DOWN);
              await call('borrow', user.key, 'POST', `/v1/accounts/${user.accountId}/loans`, { asset: 'USDC', amount }, { 'idempotency-key': `${user.name}-${(serial += 1)}` });
            }
          } else if (roll < 0.88) {
            const view = await call('read', user.key, 'GET', `/v1/accounts/${user.accountId}`);
            if (view.status !== 200 || view.body.loans.length === 0) continue;
            const loan = pick(view.body.loans as { id: string; outstanding: string }[]);
            const outstanding = new Decimal(loan.outstanding);
            const amount = random() < 0.4 || outstanding.lt(2) ? 'all' : outstanding.div(2).toFixed(2, Decimal.ROUND_DOWN);
            await call('repay', user.key, 'POST', `/v1/loans/${loan.id}/repayments`, { amount }, { 'idempotency-key': `${user.name}-${(serial += 1)}` });
          } else {
            // Withdraw a matured position (may be refused while it backs a loan), or try a locked one.
            const clockBefore = clockMoves;
            const view = await call('read', user.key, 'GET', `/v1/accounts/${user.accountId}`);
            if (view.status !== 200 || view.body.positions.length === 0) continue;
            const positions = view.body.positions as { asset: string; amount: string; matured: boolean }[];
            const matured = positions.filter((p) => p.matured && new Decimal(p.amount).gt(0));
            const locked = positions.filter((p) => !p.matured && new Decimal(p.amount).gt(0));
            // A matured position's withdrawal may be refused while it backs a loan or the market lacks cash.
            const judge = (reply: Reply, asset: string) => {
              if (reply.status === 201) expected.set(expectedKey(user.accountId, asset), new Decimal(0));
              else if (reply.status > 0 && reply.status < 500 && !['LTV_LIMIT_EXCEEDED', 'INSUFFICIENT_LIQUIDITY', 'POSITION_LOCKED'].includes(reply.body?.code)) {
                problems.push(`withdrawal refused: ${reply.status} ${JSON.stringify(reply.body)}`);
              }
            };
            if (matured.length > 0) {
              const position = pick(matured);
              judge(await call('withdrawal', user.key, 'POST', `/v1/accounts/${user.accountId}/withdrawals`, { asset: position.asset }, { 'idempotency-key': `${user.name}-${(serial += 1)}` }), position.asset);
            } else if (locked.length > 0) {
              const position = pick(locked);
              const reply = await call('withdrawal-locked', user.key, 'POST', `/v1/accounts/${user.accountId}/withdrawals`, { asset: position.asset });
              // The admin may have moved the clock past its maturity since the view was read, or
              // been moving it then (an odd count: an advance in flight): then it is a matured one.
              if (clockMoves !== clockBefore || clockBefore % 2 === 1) judge(reply, position.asset);
              else if (reply.status !== 409 || reply.body?.code !== 'POSITION_LOCKED') problems.push(`a locked withdrawal got ${reply.status} ${JSON.stringify(reply.body)}`);
            }
          }
          if (index === 0 && random() < 0.01) await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }

      async function adminLoop(): Promise<void> {
        let lastAdvance = Date.now();
        while (Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 700));
          // Prices wander within ±3% of where they started: enough to move every LTV, never to liquidate.
          const asset = pick(['BTC', 'ETH']);
          const price = new Decimal(BASE_PRICES[asset]).times(new Decimal(between(9700, 10300)).div(10000)).toFixed(2);
          await call('price', ADMIN_KEY, 'PUT', `/v1/prices/${asset}`, { price });
          if (Date.now() - lastAdvance > 8_000) {
            lastAdvance = Date.now();
            clockMoves += 1; // before and after: a withdrawal overlapping the advance sees it moving
            await call('advance', ADMIN_KEY, 'POST', '/v1/clock/advance', random() < 0.7 ? { days: 1 } : { hours: 6 });
            clockMoves += 1;
          } else if (random() < 0.1) {
            const check = await call('ledger-check', ADMIN_KEY, 'GET', '/v1/ledger/check');
            if (check.status === 200 && !check.body.balanced) problems.push(`ledger unbalanced mid-run: ${JSON.stringify(check.body.mismatches).slice(0, 300)}`);
          }
        }
      }

      const started = Date.now();
      await Promise.all([adminLoop(), ...users.map((user, index) => userLoop(user, index))]);
      const elapsed = (Date.now() - started) / 1000;

      const table = [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([key, n]) => `${key.padEnd(28)} ${n}`);
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      process.stdout.write(`load: ${total} requests in ${elapsed.toFixed(1)} s (${(total / elapsed).toFixed(0)}/s), ${USERS} users\n${table.join('\n')}\n`);

      // No 5xx, no error without its code, no replay or twin that differed.
      expect(problems.slice(0, 20)).toEqual([]);
      expect([...counts.keys()].filter((key) => /\s(5\d\d|network-error)$/.test(key))).toEqual([]);

      // It did something: money moved, in every direction.
      const moved = {
        deposits: tally('deposit', 201),
        borrows: tally('borrow', 201),
        repayments: tally('repay', 201),
        withdrawals: tally('withdrawal', 201),
        advances: tally('advance', 200),
        prices: tally('price', 200),
      };
      process.stdout.write(`load: money movements ${JSON.stringify(moved)}\n`);
      expect(moved.deposits).toBeGreaterThanOrEqual(Math.max(20, SECONDS * 2));
      expect(moved.borrows).toBeGreaterThanOrEqual(Math.max(5, SECONDS / 4));
      expect(moved.repayments).toBeGreaterThanOrEqual(Math.max(5, SECONDS / 4));
      expect(moved.advances).toBeGreaterThanOrEqual(Math.floor(SECONDS / 12));
      if (SECONDS >= 60) expect(moved.withdrawals).toBeGreaterThanOrEqual(1);
      expect(tally('deposit-replay', 201)).toBeGreaterThan(0);

      // The ledger: balanced, every cached balance equal to its entries, no customer balance on the wrong side.
      const check = (await app.admin.get('/v1/ledger/check').expect(200)).body;
      expect(check.mismatches).toEqual([]);
      expect(check.balanced).toBe(true);
      const prisma = app.get(PrismaService);
      const wrongSide = await prisma.$queryRaw<{ code: string; asset: string; balance: string }[]>`
        SELECT code, asset, balance::text FROM ledger_accounts
        WHERE account_id IS NOT NULL AND ((normal_side = 'credit' AND balance > 0) OR (normal_side = 'debit' AND balance < 0))`;
      expect(wrongSide).toEqual([]);
      const negative = await prisma.$queryRaw<{ id: string }[]>`
        SELECT id::text FROM positions WHERE scaled < 0 OR principal < 0 UNION ALL SELECT id::text FROM loans WHERE scaled_debt < 0`;
      expect(negative).toEqual([]);

      // Nothing was liquidated (prices stayed close), so each position is exactly the deposits applied.
      const liquidations = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM notifications WHERE type = 'liquidation'`;
      expect(Number(liquidations[0].n)).toBe(0);
      const actual = new Map<string, Decimal>();
      const ledger = new Map<string, Decimal>();
      for (const user of [...users, { key: lender.apiKey, accountId: lender.accounts[0].id }]) {
        const view = (await app.admin.get(`/v1/accounts/${user.accountId}`).expect(200)).body;
        for (const position of view.positions) actual.set(expectedKey(user.accountId, position.asset), new Decimal(position.principal));
        const balances = await prisma.$queryRaw<{ asset: string; balance: string }[]>`
          SELECT asset, balance::text FROM ledger_accounts WHERE account_id = ${user.accountId}::uuid AND kind = 'position'`;
        for (const row of balances) ledger.set(expectedKey(user.accountId, row.asset), new Decimal(row.balance).negated());
        // The ledger holds every applied deposit once (and the statement shows them, up to its 1,000 lines).
        const [{ n }] = await prisma.$queryRaw<{ n: bigint }[]>`
          SELECT count(*) AS n FROM ledger_transactions WHERE account_id = ${user.accountId}::uuid AND type = 'deposit'`;
        const statement = (await app.admin.get(`/v1/accounts/${user.accountId}/transactions?limit=1000`).expect(200)).body as { type: string }[];
        const shown = statement.filter((line) => line.type === 'deposit').length;
        expect({ account: user.accountId, deposits: Number(n), shown: statement.length < 1000 ? shown : Number(n) }).toEqual({
          account: user.accountId,
          deposits: depositsApplied.get(user.accountId) ?? 0,
          shown: depositsApplied.get(user.accountId) ?? 0,
        });
      }
      const show = (map: Map<string, Decimal>) =>
        Object.fromEntries([...map].filter(([, value]) => !value.isZero()).map(([key, value]) => [key, value.toFixed()]).sort());
      expect(show(actual)).toEqual(show(expected));
      expect(show(ledger)).toEqual(show(expected));
    },
    SECONDS * 1000 + 180_000,
  );
});
