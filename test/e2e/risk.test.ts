import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { AppProcess, startAppProcess } from '../support/app-process.js';
import { ledgerBalance, world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';

const FEE = dec('0.05');


/** The contract's formula for one collateral asset: x = (D − t·V) / (p·(1 − f − t)), rounded up. */
function unitsToSell(debt: Decimal, units: Decimal, price: Decimal, target: Decimal): Decimal {
  const value = units.times(price);
  return debt.minus(target.times(value)).div(price.times(dec(1).minus(FEE).minus(target))).toDecimalPlaces(8, Decimal.ROUND_UP);
}

describe('loans, margin calls and liquidation', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000');
    await w.price('USDT', '1');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses borrowing past the limit or the cash, and withdrawing collateral a loan needs, changing nothing', async () => {
    const user = await w.user('careful');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    const before = await w.assertBalanced();
    const tooMuch = await app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/loans`).send({ asset: 'USDC', amount: '25000.000001' }).expect(409);
    expect(tooMuch.body).toMatchObject({ code: 'LTV_LIMIT_EXCEEDED', details: { limit: '0.5', ltv: '0.50000000002' } });
    const noCash = await app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/loans`).send({ asset: 'USDT', amount: '100' }).expect(409);
    expect(noCash.body).toMatchObject({ code: 'INSUFFICIENT_LIQUIDITY', details: { available: '0.000000' } }); // nobody lent USDT
    expect(await w.assertBalanced()).toEqual(before);
    const loan = await w.borrow(user.apiKey, user.accountId, 'USDC', '10000');
    expect(loan).toMatchObject({ asset: 'USDC', principal: '10000.000000', outstanding: '10000.000000' });
    await w.advance({ days: 7 });
    const withdrawal = await app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/withdrawals`).send({ asset: 'BTC' }).expect(409);
    expect(withdrawal.body).toMatchObject({ code: 'LTV_LIMIT_EXCEEDED', details: { ltv: null } });
    await app.api(user.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: '20000' }).expect(422);
    const repaid = await app.api(user.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: 'all' }).expect(201);
    expect(repaid.body.loan.outstanding).toBe('0.000000');
    await app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/withdrawals`).send({ asset: 'BTC' }).expect(201);
    await w.assertBalanced();
  });

  it('lets utilisation rise with borrowing and moves tomorrow’s rates along the curve', async () => {
    const before = dec((await w.market('USDC')).utilization);
    const user = await w.user('utiliser');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '2');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '40000');
    const market = await w.market('USDC');
    expect(dec(market.utilization).minus(before).toFixed(6)).toBe('0.040000'); // 40,000 more of 1,000,000 supplied
    expect(dec(market.utilization).gt(0)).toBe(true);
    const u = dec(market.nextDay.utilization);
    // USDC below the kink: 0.055 × U / 0.9
    expect(dec(market.nextDay.borrowApr).minus(dec('0.055').times(u).div('0.9')).abs().lte('1e-29')).toBe(true);
  });

  it('calls a margin once per crossing and liquidates down to the target as the price falls', async () => {
    await w.price('BTC', '50000');
    const user = await w.user('falling');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '25000'); // LTV 0.5, the limit
    const steps = ['45000', '36000', '35000', '33000', '34000'];
    for (const price of steps) await app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
    let account = await w.account(user.apiKey, user.accountId);
    expect(account.status).toBe('margin_call');
    let notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`)).body;
    expect(notices.map((n: { type: string }) => n.type)).toEqual(['margin_call']);
    expect(notices[0].data).toMatchObject({ marginCallLtv: '0.714', liquidationLtv: '0.833', currency: 'USD' });
    // At 35,000: LTV 25,000/35,000; back under 0.714 by repaying 25,000 − 0.714 × 35,000 = 10.
    expect(notices[0].data.repayToRecover).toBe('10.00');

    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200); // LTV 0.8333…
    const sold = unitsToSell(dec(25000), dec(1), dec(30000), dec('0.714'));
    const repaid = sold.times(30000).times(dec(1).minus(FEE)).toDecimalPlaces(6, Decimal.ROUND_DOWN);
    const feeUnits = sold.times(FEE).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    account = await w.account(user.apiKey, user.accountId);
    expect(account.positions[0].amount).toBe(dec(1).minus(sold).toFixed(8));
    expect(account.loans[0].outstanding).toBe(dec(25000).minus(repaid).toFixed(6));
    expect(dec(account.ltv).lte('0.714')).toBe(true);
    expect(dec(account.ltv).gt('0.7139')).toBe(true);
    expect(account.status).toBe('healthy');
    expect((await ledgerBalance(app, 'platform:liquidation_fees', 'BTC')).negated().toFixed(8)).toBe(feeUnits.toFixed(8));

    notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`)).body;
    expect(notices.map((n: { type: string }) => n.type)).toEqual(['margin_call', 'liquidation']);
    expect(notices[1].data.steps[0].sold).toMatchObject({ asset: 'BTC', units: sold.toFixed(8), price: '30000' });
    const lines = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/transactions`)).body;
    expect(lines[0]).toMatchObject({ type: 'liquidation', asset: 'BTC', amount: sold.toFixed(8) });
    await w.assertBalanced();

    // Staying at that price changes nothing more; a new fall past the margin call calls again.
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200);
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '29500' }).expect(200);
    notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`)).body;
    expect(notices.map((n: { type: string }) => n.type)).toEqual(['margin_call', 'liquidation', 'margin_call']);
  });

  it('sells everything in a gap crash and books the shortfall as bad debt', async () => {
    await w.price('BTC', '50000');
    const user = await w.user('gap');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '25000');
    const cashBefore = dec((await w.market('USDC')).availableLiquidity);
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '5000' }).expect(200);
    // The whole loan is back in the USDC market: 5,000 from the sale, 20,000 from the platform.
    // (Other BTC-backed accounts in this file are liquidated by the same crash and repay too.)
    expect(dec((await w.market('USDC')).availableLiquidity).minus(cashBefore).gte(25000)).toBe(true);
    const account = await w.account(user.apiKey, user.accountId);
    expect(account.positions).toEqual([]);
    expect(account.loans).toEqual([]);
    expect(account.debtValue).toBe('0');
    // Proceeds 5,000 all repay debt (no fee when the debt is not covered); 20,000 is written off.
    const writeOff = await app.get(PrismaService).ledgerTransaction.findFirstOrThrow({
      where: { type: 'bad_debt', accountId: user.accountId },
      include: { entries: { include: { ledgerAccount: true } } },
    });
    const badDebt = writeOff.entries.find((e) => e.ledgerAccount.code === 'platform:bad_debt')!;
    expect(dec(badDebt.amount).toFixed(6)).toBe('20000.000000');
    const notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`)).body;
    expect(notices.at(-1)).toMatchObject({ type: 'liquidation', data: { badDebt: '20000' } });
    expect(notices.at(-1).data.steps[0].fee.units).toBe('0.00000000');
    await w.assertBalanced();
    // Lenders keep their full claims: the USDC lender's position is untouched by the loss.
    await w.price('BTC', '50000');
  });

  it('reviews the account only when a move may take it out of its band; every call and the liquidation land at their price', async () => {
    // An account at its margin call that a price move leaves between its margin-call and
    // liquidation levels is not reviewed again (risk-sweep.service.ts, settled-band.ts): nothing
    // would change. It is reviewed as soon as it may leave the band: back to healthy (recorded, so
    // that the next crossing calls again), or on to its liquidation level.
    // 1 BTC against 24,000 USDC: margin call (0.714) below 33,613, liquidation (0.833) below 28,812.
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '50000' }).expect(200);
    const user = await w.user('settled');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '24000');
    const reviews = jest.spyOn(app.get(LiquidationService), 'reviewMany');
    const steps: { price: string; reviewed: boolean; status: string; calls: number; liquidations: number }[] = [];
    for (const price of ['33000', '32000', '33500', '34000', '33000', '30000', '28000']) {
      reviews.mockClear();
      await app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
      const notices: { type: string }[] = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body;
      steps.push({
        price,
        reviewed: reviews.mock.calls.some(([ids]) => ids.includes(user.accountId)),
        status: (await w.account(user.apiKey, user.accountId)).status,
        calls: notices.filter((n) => n.type === 'margin_call').length,
        liquidations: notices.filter((n) => n.type === 'liquidation').length,
      });
    }
    expect(steps.map(({ price, reviewed, calls, liquidations }) => ({ price, reviewed, calls, liquidations }))).toEqual([
      { price: '33000', reviewed: true, calls: 1, liquidations: 0 }, // crosses its margin call
      { price: '32000', reviewed: false, calls: 1, liquidations: 0 }, // deeper in the band: settled
      { price: '33500', reviewed: false, calls: 1, liquidations: 0 }, // near the level, still in the band
      { price: '34000', reviewed: true, calls: 1, liquidations: 0 }, // back to healthy: recorded
      { price: '33000', reviewed: true, calls: 2, liquidations: 0 }, // a second crossing, a second call
      { price: '30000', reviewed: false, calls: 2, liquidations: 0 },
      { price: '28000', reviewed: true, calls: 2, liquidations: 1 }, // past its liquidation level
    ]);
    expect(steps.slice(0, 3).map((s) => s.status)).toEqual(['margin_call', 'margin_call', 'margin_call']);
    expect(steps[3].status).toBe('healthy');
    await w.assertBalanced();
  }, 120_000);
});

describe('two worker processes and a flood of price updates', () => {
  let first: TestApp;
  let second: AppProcess;

  beforeAll(async () => {
    first = await startTestApp();
    // A second LendLab, API and workers, as a process of its own on the same database and queues.
    second = await startAppProcess(first, 'api');
  });
  afterAll(async () => {
    await second?.kill('SIGTERM');
    await first?.close();
  });

  it('liquidates each account exactly as far as needed, once', async () => {
    const w = world(first);
    await w.lendingMarket('1000000');
    const borrowers = [];
    for (let i = 0; i < 6; i += 1) {
      const user = await w.user(`b${i}`);
      await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
      await w.borrow(user.apiKey, user.accountId, 'USDC', '25000');
      borrowers.push(user);
    }
    // Twenty copies of the same crash price through both processes at once, then one that waits.
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? first.admin : second.admin!).put('/v1/prices/BTC').send({ price: '30000' }).expect(200)),
    );
    await first.admin.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200);
    const sold = unitsToSell(dec(25000), dec(1), dec(30000), dec('0.714'));
    for (const user of borrowers) {
      const account = await w.account(user.apiKey, user.accountId);
      expect(account.positions[0].amount).toBe(dec(1).minus(sold).toFixed(8));
      const notices = (await first.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`)).body;
      expect(notices.filter((n: { type: string }) => n.type === 'liquidation')).toHaveLength(1);
    }
    expect(await first.get(PrismaService).ledgerTransaction.count({ where: { type: 'liquidation' } })).toBe(borrowers.length);
    await w.assertBalanced();
  });
});
