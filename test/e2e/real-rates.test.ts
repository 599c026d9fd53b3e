import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startTestApp, TestApp } from '../support/test-app.js';
import { ledgerBalance, world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

/*
 * Money at real rates and at hours (issue 12): each story is one the platform got wrong, and
 * each expected figure is worked out here from the contract's formulas (api-contract, Time and
 * interest; Liquidation arithmetic), beside the figure:
 *   index(t on D)       = index(00:00 of D) × (1 + APR_D × elapsed / 365 days)
 *   index(00:00 of D+1) = index(00:00 of D) × (1 + APR_D / 365), kept to 40 decimals
 *   position = scaled × supply index, rounded down; debt = scaled × borrow index, rounded up
 *   U = min(1, borrowed / supplied); R(U) kinked; supplyApr = R × U × (1 − reserve factor)
 */

const DAY_MS = 86_400_000;
const YEAR_MS = dec(365 * DAY_MS);
const ONE = dec(1);
const nextDay = (index: Decimal, apr: Decimal) => index.times(ONE.plus(apr.div(365))).toDecimalPlaces(40, Decimal.ROUND_HALF_EVEN);
const within = (index: Decimal, apr: Decimal, elapsedMs: number) => index.times(ONE.plus(apr.times(elapsedMs).div(YEAR_MS)));
const down = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_DOWN);
const up = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_UP);

/** The kinked curve of the rate model the stories set: base 0.02, kink at 0.8, slopes 0.1 and 1, reserve 0.1. */
const MODEL = { baseRate: '0.02', optimalUtilization: '0.8', slope1: '0.1', slope2: '1', reserveFactor: '0.1' };
function ratesAt(u: Decimal): { borrowApr: Decimal; supplyApr: Decimal } {
  const capped = Decimal.min(u, ONE);
  const borrowApr = capped.lte('0.8') ? dec('0.02').plus(dec('0.1').times(capped).div('0.8')) : dec('0.12').plus(capped.minus('0.8').div('0.2'));
  return { borrowApr, supplyApr: borrowApr.times(capped).times('0.9') };
}


/** Today's rates as the market reports them at 00:00, checked against the curve at that instant's utilisation. */
async function dayRates(app: TestApp, asset: string, date: string, u: Decimal) {
  const market = (await app.admin.get(`/v1/markets/${asset}`).expect(200)).body;
  const expected = ratesAt(u);
  expect(market.ratesDate).toBe(date);
  expect(dec(market.utilization).minus(u).abs().lte('1e-29')).toBe(true);
  expect(dec(market.borrowApr).minus(expected.borrowApr).abs().lte('1e-28')).toBe(true);
  expect(dec(market.supplyApr).minus(expected.supplyApr).abs().lte('1e-28')).toBe(true);
  return { borrowApr: dec(market.borrowApr), supplyApr: dec(market.supplyApr) };
}

/**
 * The lone lender: 100 supplied, 90 borrowed, the borrower repays everything at 05:00. The day's
 * supply rate was fixed at 00:00 at U ≈ 0.9, so the lender keeps earning it until the next
 * 00:00 and nobody pays that: the platform does, from its own funds (platform:funds → cash).
 */
async function loneLender(app: TestApp, asset: 'SOL' | 'ETH', decimals: number) {
  const w = world(app);
  await w.price('BTC', '50000');
  await w.price(asset, '100');
  await app.admin.put(`/v1/markets/${asset}`).send({ rateModel: MODEL }).expect(200);
  await w.advance({ days: 1 }); // 2026-01-02: the model's rates from U = 0 (borrow 0.02, supply 0)
  const lender = await w.user('lender');
  const borrower = await w.user('borrower');
  await w.deposit(lender.apiKey, lender.accountId, asset, '100');
  await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '1');
  const loan = await w.borrow(borrower.apiKey, borrower.accountId, asset, '90');
  await w.advance({ days: 1 }); // 2026-01-03 00:00
  // 2026-01-01's rates were the default model's at U = 0 (zero), so both indexes were 1 on 01-02.
  const borrowIndex0103 = nextDay(ONE, dec('0.02'));
  const u = borrowIndex0103.times(90).div(100); // borrowed / supplied at 00:00 (supply index still 1)
  const rates = await dayRates(app, asset, '2026-01-03', u.toDecimalPlaces(30, Decimal.ROUND_HALF_EVEN));
  await w.advance({ hours: 5 });
  const repaid = (await app.api(borrower.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: 'all' }).expect(201)).body.loan;
  expect(repaid.outstanding).toBe(dec(0).toFixed(decimals));
  // What the borrower paid: 90 × borrow index at 05:00, rounded up.
  const paid = up(dec(90).times(within(borrowIndex0103, rates.borrowApr, 5 * 3_600_000)), decimals);
  return { w, lender, rates, paid };
}

describe('a lone lender can always leave', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('is paid in full after the market closes: the platform covers the interest no borrower paid, booked', async () => {
    const { lender, rates, paid } = await loneLender(app, 'SOL', 9);
    await world(app).advance({ days: 8 }); // 2026-01-11 05:00; matured on 01-09
    // Supply index after 01-03 (and unchanged after: U = 0 from 01-04 on, so the supply rate is 0).
    const supplyIndex = nextDay(ONE, rates.supplyApr);
    const owed = dec(100).times(supplyIndex);
    // At 01-03's close the cash (10 left + what was repaid) is short of what the lender is owed;
    // the shortfall, rounded up to the unit, comes from the platform's own funds.
    const cover = up(owed, 9).minus(dec(10).plus(paid));
    expect(cover.gt(0)).toBe(true);
    expect((await ledgerBalance(app, 'platform:funds', 'SOL')).toFixed()).toBe(cover.negated().toFixed());
    const covers = await app.get(PrismaService).ledgerTransaction.findMany({ where: { type: 'interest_cover' } });
    expect(covers.map((t) => ({ at: t.at.toISOString(), asset: (t.metadata as Record<string, string>).asset }))).toEqual([
      { at: '2026-01-04T00:00:00.000Z', asset: 'SOL' },
    ]);
    const withdrawal = await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/withdrawals`).send({ asset: 'SOL' });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body).toEqual({ asset: 'SOL', amount: down(owed, 9).toFixed(9) });
    // What is left in cash is the rounding of the lender's payout, and it is the platform's.
    expect((await ledgerBalance(app, 'market:cash', 'SOL')).toFixed()).toBe(up(owed, 9).minus(down(owed, 9)).toFixed());
    await world(app).assertBalanced();
  });

  it('answers INSUFFICIENT_LIQUIDITY only while money is lent out', async () => {
    const w = world(app);
    const lender = await w.user('lender2');
    const borrower = await w.user('borrower2');
    await w.price('USDT', '1');
    await w.deposit(lender.apiKey, lender.accountId, 'USDT', '50000');
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '2');
    await w.borrow(borrower.apiKey, borrower.accountId, 'USDT', '49000');
    await w.advance({ days: 7 });
    // The platform's cover never pays out what borrowers hold: 1,000 in cash, 49,000 lent out.
    const refused = await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/withdrawals`).send({ asset: 'USDT' }).expect(409);
    expect(refused.body).toMatchObject({ code: 'INSUFFICIENT_LIQUIDITY', details: { available: '1000.000000' } });
    expect((await ledgerBalance(app, 'platform:funds', 'USDT')).toFixed()).toBe('0');
    await w.assertBalanced();
  });
});

describe('within the day', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    await app.admin.put('/v1/settings').send({ lendingPeriodDays: 1 }).expect(200);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a withdrawal at 20:00, after the only borrower repaid at 05:00, is covered at that instant', async () => {
    const { w, lender, rates, paid } = await loneLender(app, 'ETH', 18);
    await w.advance({ hours: 15 }); // 2026-01-03 20:00
    // The lender's supply index at 20:00 of 01-03 (1 at 00:00: the supply rate of 01-02 was 0).
    const owed = dec(100).times(within(ONE, rates.supplyApr, 20 * 3_600_000));
    const withdrawal = await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/withdrawals`).send({ asset: 'ETH' });
    expect(withdrawal.status).toBe(201);
    expect(withdrawal.body).toEqual({ asset: 'ETH', amount: down(owed, 18).toFixed(18) });
    const cover = up(owed, 18).minus(dec(10).plus(paid));
    expect((await ledgerBalance(app, 'platform:funds', 'ETH')).toFixed()).toBe(cover.negated().toFixed());
    await w.assertBalanced();
  });
});

describe('an advance of hours ends with the risk sweep', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('liquidates a debt that crosses the liquidation level during `hours: 12`, by the contract’s formula', async () => {
    const w = world(app);
    await app.admin.put('/v1/markets/USDC').send({ rateModel: { baseRate: '2', slope1: '0', slope2: '0' } }).expect(200);
    await w.lendingMarket('100000');
    await w.advance({ days: 1 }); // 2026-01-02: USDC borrowers pay 200 % APR today
    const user = await w.user('borrower');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '25000');
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '30050' }).expect(200);
    expect((await w.account(user.apiKey, user.accountId)).status).toBe('margin_call'); // 25000 / 30050 = 0.8319 < 0.833
    await w.advance({ hours: 12 });
    // Debt at 12:00: 25000 × (1 + 2 × 12 h / 365 days), rounded up; LTV 0.8342 ≥ 0.833.
    const debt = up(dec(25000).times(within(ONE, dec(2), 12 * 3_600_000)), 6);
    const [t, f, p] = [dec('0.714'), dec('0.05'), dec('30050')];
    // x = (D − t·V) / (p·(1 − f − t)), rounded up to BTC's 8 decimals.
    const units = up(debt.minus(t.times(p)).div(p.times(ONE.minus(f).minus(t))), 8);
    const notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body;
    const liquidation = notices.find((n: { type: string }) => n.type === 'liquidation');
    expect(liquidation).toBeDefined();
    expect(liquidation.at).toBe('2026-01-02T12:00:00.000Z');
    expect(liquidation.data.steps[0].sold).toMatchObject({ asset: 'BTC', units: units.toFixed(8) });
    const after = await w.account(user.apiKey, user.accountId);
    expect(after.status).not.toBe('liquidating');
    expect(after.positions[0].amount).toBe(ONE.minus(units).toFixed(8));
    await w.assertBalanced();
  });
});

describe('a partial liquidation', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('takes from a position exactly the units sold when its supply index is not 1', async () => {
    const w = world(app);
    await w.price('BTC', '50000');
    await w.price('USDT', '1');
    await w.price('ETH', '2500');
    await app.admin.put('/v1/markets/USDT').send({ rateModel: { baseRate: '0.05' } }).expect(200);
    const lender = await w.user('lender');
    await w.deposit(lender.apiKey, lender.accountId, 'USDT', '100000');
    await w.deposit(lender.apiKey, lender.accountId, 'ETH', '1000');
    const borrower = await w.user('borrower');
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '2');
    await w.borrow(borrower.apiKey, borrower.accountId, 'USDT', '50000');
    await w.advance({ days: 3 });
    expect((await w.market('USDT')).supplyIndex).not.toBe('1');
    // Fresh USDT collateral at today's index, each borrowing ETH at 80 % of its value.
    const amounts = ['10000', '12345.678901', '7777.777777', '3333.333333'];
    const victims = [];
    for (const [i, amount] of amounts.entries()) {
      const victim = await w.user(`victim${i}`);
      await w.deposit(victim.apiKey, victim.accountId, 'USDT', amount);
      await w.borrow(victim.apiKey, victim.accountId, 'ETH', down(dec(amount).times('0.8').div(2500), 18).toFixed());
      victims.push({ ...victim, amount });
    }
    await app.admin.put('/v1/prices/ETH?wait=true').send({ price: '2850' }).expect(200); // LTV 0.912 ≥ 0.9
    for (const victim of victims) {
      const notices = (await app.api(victim.apiKey).get(`/v1/accounts/${victim.accountId}/notifications`).expect(200)).body;
      const sold = notices.find((n: { type: string }) => n.type === 'liquidation').data.steps[0].sold;
      expect(sold.asset).toBe('USDT');
      const position = (await w.account(victim.apiKey, victim.accountId)).positions[0];
      expect({ victim: victim.amount, left: position.amount }).toEqual({ victim: victim.amount, left: dec(victim.amount).minus(sold.units).toFixed(6) });
    }
    await w.assertBalanced();
  });
});

describe('the loyalty cost of a day', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('counts a silver deposit made at 06:00 for 18 hours, and the day still balances to the unit', async () => {
    const w = world(app);
    await w.price('USDC', '1');
    await w.price('LAB', '1');
    const silver = await w.user('silver');
    await w.deposit(silver.apiKey, silver.accountId, 'USDC', '5000');
    await w.deposit(silver.apiKey, silver.accountId, 'LAB', '100'); // 100 / 5100 ≈ 2 % LAB: silver
    await w.advance({ days: 1 }); // 2026-01-02 00:00: silver
    expect((await w.account(silver.apiKey, silver.accountId)).tier).toBe('silver');
    await w.advance({ hours: 6 });
    await w.deposit(silver.apiKey, silver.accountId, 'USDC', '10000');
    await w.advance({ hours: 18 }); // 2026-01-03 00:00: 2026-01-02 closed
    const prisma = app.get(PrismaService);
    const position = await prisma.position.findFirstOrThrow({ where: { accountId: silver.accountId, asset: 'USDC' }, include: { changes: { orderBy: { at: 'asc' } } } });
    const [atMidnight, at0600] = position.changes.filter((c) => c.tier === 'silver').map((c) => dec(c.scaledAfter.toString()));
    const [lane] = await prisma.$queryRaw<{ supply_index: string }[]>`
      SELECT supply_index::text FROM market_lane_days WHERE asset = 'USDC' AND tier = 'silver' AND date = '2026-01-01'`;
    // USDC's own supply rate is 0 (nobody borrows); silver earns the 0.5 % bonus: that is the
    // cost. The position was in the lane all day, its top-up for the 18 hours after 06:00.
    const weighted = atMidnight.plus(at0600.minus(atMidnight).times(18).div(24));
    const cost = weighted.times(dec(lane.supply_index)).times('0.005').div(365).toDecimalPlaces(6, Decimal.ROUND_HALF_EVEN);
    const posting = await prisma.ledgerTransaction.findFirstOrThrow({ where: { type: 'interest', description: 'USDC interest for 2026-01-02' }, include: { entries: { include: { ledgerAccount: true } } } });
    const metadata = posting.metadata as Record<string, string>;
    expect(metadata.loyaltyCost).toBe(cost.toFixed(6));
    // Borrowers' interest + loyalty cost = suppliers' interest + reserve, each term to the unit.
    const reserve = posting.entries.find((e) => e.ledgerAccount.code === "platform:reserve");
    const reserveCredit = reserve ? dec(reserve.amount.toString()).negated() : dec(0);
    expect(dec(metadata.borrowInterest).plus(metadata.loyaltyCost).toFixed(6)).toBe(dec(metadata.supplyInterest).plus(reserveCredit).toFixed(6));
    // And it is what the silver supplier earned that day (rounded down, so within a unit).
    const interest = (await app.api(silver.apiKey).get(`/v1/accounts/${silver.accountId}/interest?from=2026-01-02&to=2026-01-02`).expect(200)).body;
    const earned = dec(interest.find((l: { asset: string }) => l.asset === 'USDC').amount);
    expect(cost.minus(earned).abs().lte('0.000001')).toBe(true);
    await w.assertBalanced();
  });
});

describe('advice, parameters and statements', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('gives margin-call advice that is enough when followed exactly', async () => {
    const adds = await w.user('adds');
    const repays = await w.user('repays');
    await w.price('BTC', '100000');
    for (const user of [adds, repays]) {
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      await w.borrow(user.apiKey, user.accountId, 'USDC', '49000');
    }
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '68000' }).expect(200); // LTV 0.7206
    const advice = async (user: { apiKey: string; accountId: string }) =>
      (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body.find((n: { type: string }) => n.type === 'margin_call').data;
    // 49000 / 0.714 − 68000 = 627.4509…, rounded up: 627.46 (627.45 is not enough);
    // 49000 − 0.714 × 68000 = 448 exactly.
    expect(await advice(adds)).toMatchObject({ addCollateralToRecover: '627.46', repayToRecover: '448.00' });
    await w.deposit(adds.apiKey, adds.accountId, 'BTC', up(dec('627.46').div(68000), 8).toFixed());
    const added = await w.account(adds.apiKey, adds.accountId);
    expect(dec(added.ltv).lte('0.714')).toBe(true);
    expect(added.status).toBe('healthy');
    const loan = (await w.account(repays.apiKey, repays.accountId)).loans[0];
    await app.api(repays.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: '448.00' }).expect(201);
    // Back at the margin-call level exactly: 48,552 / 68,000 = 0.714.
    expect(dec((await w.account(repays.apiKey, repays.accountId)).ltv).toFixed()).toBe('0.714');
    await w.price('BTC', '50000');
  });

  it('stores market parameters exactly as sent, checks levels on what is stored, and never answers 5xx for a valid one', async () => {
    const slope2 = await app.admin.put('/v1/markets/SOL').send({ rateModel: { slope2: '100' } });
    expect(slope2.status).toBe(200);
    expect(slope2.body.rateModel.slope2).toBe('100');
    const exact = await app.admin
      .put('/v1/markets/SOL')
      .send({ rateModel: { slope1: '0.040000000000000001', slope2: '1000' }, risk: { maxLtv: '0.599999999999999999', marginCallLtv: '0.6' } })
      .expect(200);
    expect(exact.body.rateModel).toMatchObject({ slope1: '0.040000000000000001', slope2: '1000' });
    expect(exact.body.risk).toMatchObject({ maxLtv: '0.599999999999999999', marginCallLtv: '0.6' });
    // More than 18 decimals, or above 1000: refused, not rounded into something else.
    for (const patch of [{ risk: { maxLtv: '0.5999999999999999999' } }, { rateModel: { slope1: '0.0400000000000000000001' } }, { rateModel: { slope2: '1000.1' } }]) {
      const response = await app.admin.put('/v1/markets/SOL').send(patch).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await w.market('SOL')).risk.maxLtv).toBe('0.599999999999999999');
  });

  it('lists one interest line per day and asset with the /interest figures, and a write-off with its asset and amount', async () => {
    const user = await w.user('statement');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '25000');
    await w.advance({ days: 2 });
    await w.advance({ hours: 7 });
    // Days with nothing earned or charged (BTC's supply rate is 0 here, USDC's was 0 on 01-01) have no line.
    const interest = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/interest`).expect(200)).body.filter(
      (l: { amount: string }) => !dec(l.amount).isZero(),
    );
    const lines = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/transactions`).expect(200)).body;
    const interestLines = lines.filter((l: { type: string }) => l.type === 'interest');
    expect(interest.map((l: { date: string; kind: string }) => `${l.date} ${l.kind}`)).toEqual(['2026-01-02 charged']);
    expect(interestLines.map((l: { asset: string; amount: string; details: { date: string; kind: string } }) => ({ date: l.details.date, asset: l.asset, kind: l.details.kind, amount: l.amount })).reverse()).toEqual(
      interest.map((l: object) => l),
    );
    // Dated at the close of its day: 00:00 of the next.
    expect(interestLines[0].at).toBe(new Date(Date.parse(`${interest[interest.length - 1].date}T00:00:00Z`) + DAY_MS).toISOString());
    // A gap: BTC to 20,000 under 25,000 of debt: everything is sold, the rest written off.
    const outstanding = dec((await w.account(user.apiKey, user.accountId)).loans[0].outstanding);
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '20000' }).expect(200);
    const after = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/transactions`).expect(200)).body;
    const writeOff = after.find((l: { type: string }) => l.type === 'bad_debt');
    // The sale repays 20,000 (the fee is capped at what remains after the debt: nothing).
    expect(writeOff).toMatchObject({ asset: 'USDC', amount: outstanding.minus(20000).toFixed(6) });
    for (const line of after) expect({ type: line.type, asset: typeof line.asset, amount: typeof line.amount }).toEqual({ type: line.type, asset: 'string', amount: 'string' });
    await w.assertBalanced();
  });
});

describe('a movement overtaken by an advance', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lands at the clock’s time, not in the day the market closed while it waited for its lock', async () => {
    const w = world(app);
    const user = await w.user('late');
    await w.advance({ hours: 23 }); // 2026-01-01 23:00
    // The account's row held, as by another movement of the same account: the deposit waits for it.
    const holder = new pg.Client({ connectionString: app.databaseUrl });
    const watcher = new pg.Client({ connectionString: app.databaseUrl });
    await holder.connect();
    await watcher.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT id FROM accounts WHERE id = $1 FOR UPDATE', [user.accountId]);
      const holderPid = (await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const deposit = app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`).send({ asset: 'USDC', amount: '100' }).then((r) => r);
      for (const deadline = Date.now() + 30_000; ; ) {
        const { rows } = await watcher.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1::int = ANY(pg_blocking_pids(pid))', [holderPid]);
        if (rows[0].n > 0) break;
        if (Date.now() > deadline) throw new Error('the deposit never came to wait for the account');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await w.advance({ hours: 1 }); // 2026-01-02 00:00: USDC's 2026-01-01 is closed meanwhile
      await holder.query('COMMIT');
      const response = await deposit;
      expect(response.status).toBe(201);
      // Deposited at 00:00 of 01-02 (the clock's time once it could act), so it matures 7 days after.
      expect(response.body.position.maturesAt).toBe('2026-01-09T00:00:00.000Z');
      const change = await app.get(PrismaService).positionChange.findFirstOrThrow({ where: { position: { accountId: user.accountId } } });
      expect(change.at.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    } finally {
      await holder.end();
      await watcher.end();
    }
  });
});
