import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

const DAY_MS = 86_400_000;

describe('races', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('10000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('deposits once when the same Idempotency-Key arrives twenty times at once', async () => {
    const user = await w.user('impatient');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`).set('Idempotency-Key', 'same').send({ asset: 'ETH', amount: '1.25' }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    // Replays are the first answer to the byte.
    expect(new Set(responses.map((r) => r.text)).size).toBe(1);
    expect((await w.account(user.apiKey, user.accountId)).positions).toEqual([expect.objectContaining({ principal: '1.250000000000000000' })]);
    // Exactly one effect: one ledger transaction, one position change, one stored key.
    const prisma = app.get(PrismaService);
    expect(await prisma.ledgerTransaction.count({ where: { accountId: user.accountId } })).toBe(1);
    expect(await prisma.positionChange.count({ where: { position: { accountId: user.accountId } } })).toBe(1);
    expect(await prisma.idempotencyKey.count({ where: { key: 'same' } })).toBe(1);
    await w.assertBalanced();
  });

  it('adds up twenty deposits racing into one position, with one row and the last deposit’s maturity', async () => {
    const prisma = app.get(PrismaService);
    const user = await w.user('crowd');
    const supplied = dec((await w.market('ETH')).totalSupplied);
    // Amounts at the asset's full precision (18 decimals), all different; half with keys.
    const amounts = Array.from({ length: 20 }, (_, i) => dec(i + 1).plus(dec(i * 7919 + 1).div(dec(10).pow(18))));
    const race = (batch: Decimal[]) =>
      Promise.all(
        batch.map((amount, i) => {
          const call = app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`);
          return (i % 2 ? call.set('Idempotency-Key', `crowd-${amount.toFixed()}`) : call).send({ asset: 'ETH', amount: amount.toFixed() });
        }),
      );
    const check = async (total: Decimal, deposits: number) => {
      const now = Date.parse((await app.admin.get('/v1/clock').expect(200)).body.now);
      const account = await w.account(user.apiKey, user.accountId);
      expect(account.positions).toEqual([
        expect.objectContaining({ asset: 'ETH', principal: total.toFixed(18), amount: total.toFixed(18), maturesAt: new Date(now + 7 * DAY_MS).toISOString() }),
      ]);
      expect(await prisma.position.count({ where: { accountId: user.accountId } })).toBe(1);
      const row = await prisma.position.findFirstOrThrow({ where: { accountId: user.accountId } });
      expect(dec(row.principal.toString()).toFixed(18)).toBe(total.toFixed(18));
      expect(row.maturesAt.toISOString()).toBe(new Date(now + 7 * DAY_MS).toISOString());
      expect(await prisma.ledgerTransaction.count({ where: { accountId: user.accountId, type: 'deposit' } })).toBe(deposits);
      const ledger = await prisma.ledgerAccount.findFirstOrThrow({ where: { accountId: user.accountId, kind: 'position', asset: 'ETH' } });
      expect(dec(ledger.balance.toString()).negated().toFixed(18)).toBe(total.toFixed(18));
      expect(dec((await w.market('ETH')).totalSupplied).minus(supplied).toFixed(18)).toBe(total.toFixed(18));
      await w.assertBalanced();
    };

    // Twenty first deposits at once: they open one position between them.
    const first = await race(amounts);
    expect(first.map((r) => r.status)).toEqual(amounts.map(() => 201));
    const firstTotal = amounts.reduce((sum, a) => sum.plus(a), dec(0));
    await check(firstTotal, 20);

    // Three days later, twenty top-ups at once: the whole position matures 7 days after them.
    await w.advance({ days: 3 });
    const second = await race(amounts.map((a) => a.div(1000).toDecimalPlaces(18, Decimal.ROUND_DOWN)));
    expect(second.map((r) => r.status)).toEqual(amounts.map(() => 201));
    await check(firstTotal.plus(amounts.reduce((sum, a) => sum.plus(a.div(1000).toDecimalPlaces(18, Decimal.ROUND_DOWN)), dec(0))), 40);
  });

  it('runs deposits and withdrawals of one market for many accounts at once: none deadlocks, the sums move exactly', async () => {
    // The fast path shares its market's lock (an advisory lock, shared): movements of one market overlap,
    // and each writes the market's sums, then the ledger, in that one order.
    const prisma = app.get(PrismaService);
    const sums = async () => {
      const [row] = await prisma.$queryRaw<{ market: string; positions: string }[]>`
        SELECT (SELECT sum(supply_principal)::text FROM market_lanes WHERE asset = 'SOL') AS market,
               (SELECT coalesce(sum(principal), 0)::text FROM positions WHERE asset = 'SOL') AS positions`;
      return { market: dec(row.market), positions: dec(row.positions) };
    };
    const leaving = await Promise.all(Array.from({ length: 8 }, (_, i) => w.user(`leaving ${i}`)));
    for (const user of leaving) await w.deposit(user.apiKey, user.accountId, 'SOL', '3.5');
    await w.advance({ days: 8 }); // matured
    const arriving = await Promise.all(Array.from({ length: 8 }, (_, i) => w.user(`arriving ${i}`)));
    const before = await sums();
    const responses = await Promise.all([
      ...leaving.map((u) => app.api(u.apiKey).post(`/v1/accounts/${u.accountId}/withdrawals`).send({ asset: 'SOL' })),
      ...arriving.map((u, i) => app.api(u.apiKey).post(`/v1/accounts/${u.accountId}/deposits`).send({ asset: 'SOL', amount: `${i + 1}.000000001` })),
      ...arriving.map((u) => app.api(u.apiKey).post(`/v1/accounts/${u.accountId}/deposits`).send({ asset: 'SOL', amount: '0.5' })),
    ]);
    expect(responses.map((r) => r.status)).toEqual(responses.map(() => 201));
    const after = await sums();
    // 8 × 3.5 out; 36.000000008 + 8 × 0.5 in.
    expect(after.positions.minus(before.positions).toFixed()).toBe('12.000000008');
    expect(after.market.minus(before.market).toFixed()).toBe('12.000000008');
    await w.assertBalanced();
  });

  it('never lets a withdrawal and a borrow on the same collateral both succeed', async () => {
    const users = [];
    for (let i = 0; i < 6; i += 1) {
      const user = await w.user(`racer${i}`);
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      users.push(user);
    }
    await w.advance({ days: 7 }); // every position matured
    for (const user of users) {
      const [withdrawal, borrow] = await Promise.all([
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/withdrawals`).send({ asset: 'BTC' }),
        app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/loans`).send({ asset: 'USDC', amount: '20000' }),
      ]);
      expect([withdrawal.status, borrow.status].sort()).toEqual([201, 409]);
      // The loser is refused for the LTV (no collateral left, or a loan that needs it), nothing else.
      expect((withdrawal.status === 409 ? withdrawal : borrow).body.code).toBe('LTV_LIMIT_EXCEEDED');
      const account = await w.account(user.apiKey, user.accountId);
      if (account.loans.length) {
        expect(dec(account.ltv).lte(account.maxLtv)).toBe(true);
        expect(account.positions).toEqual([expect.objectContaining({ asset: 'BTC', amount: '1.00000000' })]);
      } else expect(account.positions).toEqual([]);
      // The ledger says the same: either the collateral is still owed to the user and the debt
      // is on the books, or the collateral is paid out and there is no debt.
      const balances = await app.get(PrismaService).ledgerAccount.findMany({ where: { accountId: user.accountId } });
      const balance = (kind: string, asset: string) => dec(balances.find((b) => b.kind === kind && b.asset === asset)?.balance.toString() ?? '0');
      expect([balance('position', 'BTC').toFixed(8), balance('debt', 'USDC').toFixed(6)]).toEqual(
        borrow.status === 201 ? ['-1.00000000', '20000.000000'] : ['0.00000000', '0.000000'],
      );
    }
    await w.assertBalanced();
  });
});
