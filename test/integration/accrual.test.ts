import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';
import { Decimal, ONE, dec } from '../../src/common/money/decimal.js';
import { AccrualService } from '../../src/accrual/accrual.service.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { CLOCK_LOCK_KEY } from '../../src/clock/clock.service.js';

/** principal × Π(1 + apr_d / 365), the contract's daily compounding, computed here on its own. */
function compounded(principal: string, aprs: string[]): Decimal {
  return aprs.reduce((value, apr) => value.times(ONE.plus(dec(apr).div(365))), dec(principal));
}

/**
 * A world with BTC at a steady utilisation near 45%: a lender supplies 100 BTC, a borrower
 * (with USDC as collateral) borrows 45 BTC, both at 2026-01-01 00:00.
 */
async function buildWorld(app: TestApp) {
  const w = world(app);
  await w.price('BTC', '50000');
  await w.price('USDC', '1');
  const lender = await w.user('lender');
  const borrower = await w.user('borrower');
  await w.deposit(lender.apiKey, lender.accountId, 'BTC', '100');
  await w.deposit(borrower.apiKey, borrower.accountId, 'USDC', '10000000');
  const loan = await w.borrow(borrower.apiKey, borrower.accountId, 'BTC', '45');
  return { w, lender, borrower, loan };
}

describe('daily accrual', () => {
  let app: TestApp;
  let setup: Awaited<ReturnType<typeof buildWorld>>;

  beforeAll(async () => {
    app = await startTestApp();
    setup = await buildWorld(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('grows a position by principal × Π(1 + supplyApr_d/365), to the last satoshi, rounded down', async () => {
    const { w, lender } = setup;
    await w.advance({ days: 30 });
    const history = await w.history('BTC');
    expect(history).toHaveLength(30);
    const expected = compounded('100', history.map((d: { supplyApr: string }) => d.supplyApr));
    const position = (await w.account(lender.apiKey, lender.accountId)).positions[0];
    expect(position.amount).toBe(expected.toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed(8));
    expect(dec(position.interestEarned).gt(0)).toBe(true);
  });

  it('grows a debt by principal × Π(1 + borrowApr_d/365), rounded up', async () => {
    const { w, borrower } = setup;
    const history = await w.history('BTC');
    const expected = compounded('45', history.map((d: { borrowApr: string }) => d.borrowApr));
    const loan = (await w.account(borrower.apiKey, borrower.accountId)).loans[0];
    expect(loan.outstanding).toBe(expected.toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8));
    expect(loan.principal).toBe('45.00000000');
  });

  it('sets each day’s rates from that day’s utilisation on the curve, and indexes grow by exactly those rates', async () => {
    const { w } = setup;
    const history = await w.history('BTC');
    // BTC: base 0, kink 0.45, slope1 0.04, slope2 3, reserve factor 0.2.
    let supplyIndex = ONE;
    let borrowIndex = ONE;
    for (const day of history) {
      const u = dec(day.utilization);
      const borrow = u.lte('0.45') ? dec('0.04').times(u).div('0.45') : dec('0.04').plus(dec(3).times(u.minus('0.45')).div('0.55'));
      expect(dec(day.borrowApr).minus(borrow).abs().lte('1e-29')).toBe(true);
      expect(dec(day.supplyApr).minus(borrow.times(u).times('0.8')).abs().lte('1e-29')).toBe(true);
      supplyIndex = supplyIndex.times(ONE.plus(dec(day.supplyApr).div(365)));
      borrowIndex = borrowIndex.times(ONE.plus(dec(day.borrowApr).div(365)));
      expect(dec(day.supplyIndex).minus(supplyIndex).abs().lte('1e-35')).toBe(true);
      expect(dec(day.borrowIndex).minus(borrowIndex).abs().lte('1e-35')).toBe(true);
    }
    // Day 1's rates were set at its 00:00, before the deposit and the loan: an empty market.
    // Day 2 ran at 45% exactly: 45 borrowed of 100 supplied.
    expect(history[0]).toMatchObject({ utilization: '0', borrowApr: '0', supplyApr: '0' });
    expect(history[1]).toMatchObject({ utilization: '0.45', borrowApr: '0.04' });
  });

  it('keeps the ledger balanced, interest payable covering what positions earned to the unit', async () => {
    const { w, lender } = setup;
    await w.assertBalanced();
    const position = (await w.account(lender.apiKey, lender.accountId)).positions[0];
    const payable = await ledgerBalance(app, 'market:interest_payable', 'BTC');
    // The platform books the aggregate claim rounded up; a position shows its own rounded down.
    const gap = payable.negated().minus(position.interestEarned);
    expect(gap.gte(0) && gap.lte('0.00000002')).toBe(true);
  });

  it('splits borrowers’ interest between suppliers and the reserve, every day', async () => {
    const days = await app.get(PrismaService).marketDay.findMany({ where: { asset: 'BTC' }, orderBy: { date: 'asc' } });
    const interest = await app.get(PrismaService).ledgerTransaction.findMany({
      where: { type: 'interest' },
      include: { entries: { include: { ledgerAccount: true } } },
    });
    // Day 1 earned nothing (its rates were set on an empty market), so it posted nothing.
    expect(interest.filter((t) => (t.metadata as { asset: string }).asset === 'BTC')).toHaveLength(days.filter((d) => dec(d.borrowInterest).gt(0)).length);
    expect(days.filter((d) => dec(d.borrowInterest).gt(0))).toHaveLength(days.length - 1);
    for (const tx of interest) {
      const by = (code: string) => tx.entries.filter((e) => e.ledgerAccount.code === code).reduce((s, e) => s.plus(dec(e.amount)), dec(0));
      // receivable (debit) = payable (credit) + reserve (credit)
      expect(by('market:interest_receivable').plus(by('market:interest_payable')).plus(by('platform:reserve')).isZero()).toBe(true);
    }
  });

  it('pays the whole position with its interest and books the fraction to the rounding account', async () => {
    const { w, lender } = setup;
    const before = (await w.account(lender.apiKey, lender.accountId)).positions[0];
    const paid = await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/withdrawals`).send({ asset: 'BTC' });
    // 45 of the 100 BTC are lent out: the market's cash cannot pay the whole position.
    expect(paid.status).toBe(409);
    expect(paid.body.code).toBe('INSUFFICIENT_LIQUIDITY');
    const { borrower, loan } = setup;
    await app.api(borrower.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: 'all' }).expect(201);
    const withdrawal = await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/withdrawals`).send({ asset: 'BTC' }).expect(201);
    expect(withdrawal.body.amount).toBe(before.amount);
    await w.assertBalanced();
    const rounding = await ledgerBalance(app, 'platform:rounding', 'BTC');
    expect(rounding.negated().gte(0) && rounding.negated().lte('0.00000001')).toBe(true);
  });

  it('lists interest per day derived from the index history', async () => {
    const { lender, borrower } = setup;
    const earned = (await app.api(lender.apiKey).get(`/v1/accounts/${lender.accountId}/interest?from=2026-01-01&to=2026-01-03`).expect(200)).body;
    const history = await setup.w.history('BTC');
    expect(earned).toEqual(
      history.slice(0, 3).map((day: { date: string; supplyApr: string }, i: number) => {
        const start = compounded('100', history.slice(0, i).map((d: { supplyApr: string }) => d.supplyApr));
        return { date: day.date, asset: 'BTC', kind: 'earned', amount: start.times(dec(day.supplyApr).div(365)).toDecimalPlaces(8, Decimal.ROUND_DOWN).toFixed(8) };
      }),
    );
    const charged = (await app.api(borrower.apiKey).get(`/v1/accounts/${borrower.accountId}/interest?from=2026-01-02&to=2026-01-02`).expect(200)).body;
    // Day 2 (the first with a rate): 45 BTC × 0.04 / 365, rounded up
    expect(charged).toEqual([
      { date: '2026-01-02', asset: 'BTC', kind: 'charged', amount: dec(45).times('0.04').div(365).toDecimalPlaces(8, Decimal.ROUND_UP).toFixed(8) },
      { date: '2026-01-02', asset: 'USDC', kind: 'earned', amount: '0.000000' }, // nobody borrows USDC
    ]);
    await app.api(lender.apiKey).get(`/v1/accounts/${lender.accountId}/interest?from=2026-13-01`).expect(400);
  });
});

describe('accrual timing', () => {
  let jumped: TestApp;
  let stepped: TestApp;

  beforeAll(async () => {
    [jumped, stepped] = await Promise.all([startTestApp({ LOG_LEVEL: process.env.DBG ? 'debug' : 'error' }), startTestApp()]);
  });
  afterAll(async () => {
    await Promise.all([jumped?.close(), stepped?.close()]);
  });

  it('gives the same world after one 30-day jump as after thirty 1-day jumps', async () => {
    const a = await buildWorld(jumped);
    const b = await buildWorld(stepped);
    await a.w.advance({ days: 30 });
    for (let i = 0; i < 30; i += 1) await b.w.advance({ days: 1 });
    expect(await a.w.history('BTC')).toEqual(await b.w.history('BTC'));
    expect(await a.w.history('USDC')).toEqual(await b.w.history('USDC'));
    const strip = (view: { id: string; userId: string; loans: { id: string }[] }) => ({ ...view, id: '', userId: '', loans: view.loans.map((l) => ({ ...l, id: '' })) });
    expect(strip(await a.w.account(a.lender.apiKey, a.lender.accountId))).toEqual(strip(await b.w.account(b.lender.apiKey, b.lender.accountId)));
    expect(strip(await a.w.account(a.borrower.apiKey, a.borrower.accountId))).toEqual(strip(await b.w.account(b.borrower.apiKey, b.borrower.accountId)));
  });

  it('accrues a day once when it is run again, or by two processes at once', async () => {
    const second = await startTestApp({ DATABASE_URL: jumped.databaseUrl });
    try {
      const prisma = jumped.get(PrismaService);
      const assets = { asset: { in: ['BTC', 'USDC'] } };
      const daysBefore = await prisma.marketDay.count({ where: assets });
      const interestBefore = await prisma.ledgerTransaction.count({ where: { type: 'interest' } });
      // The clock moves 5 days without its day-start work (as after a crash), then both processes
      // race to accrue, several times each. It moves under the clock's lock, as an advance moves
      // it: a catch-up already running (the second process's, at its start) holds the time it read
      // until it is done, and would answer that time to the accrual below.
      await withClient(jumped.databaseUrl, async (client) => {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [CLOCK_LOCK_KEY.toString()]);
        await client.query(`UPDATE clock_state SET now = now + interval '5 days'`);
        await client.query('COMMIT');
      });
      const target = (await jumped.admin.get('/v1/clock')).body.now.slice(0, 10);
      const runs = await Promise.all(
        [jumped, second, jumped, second].flatMap((app) => ['BTC', 'USDC'].map((asset) => app.get(AccrualService).accrueThrough(asset, target))),
      );
      // 5 days × 2 markets, each closed once, whoever closed it (the clock's own tick may join in).
      expect(runs.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(10);
      expect(await prisma.marketDay.count({ where: assets })).toBe(daysBefore + 10);
      // Only BTC is borrowed, so only BTC has interest to post: one transaction a day.
      expect(await prisma.ledgerTransaction.count({ where: { type: 'interest' } })).toBe(interestBefore + 5);
      await expect(jumped.get(AccrualService).accrueThrough('BTC', '2099-01-01')).rejects.toThrow(/clock is at/);
      await world(jumped).assertBalanced();
    } finally {
      await second.app.close();
    }
  });
});

async function ledgerBalance(app: TestApp, code: string, asset: string): Promise<Decimal> {
  const row = await app.get(PrismaService).ledgerAccount.findUnique({ where: { code_asset: { code, asset } } });
  return dec(row?.balance ?? '0');
}
