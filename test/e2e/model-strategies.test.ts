import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startTestApp, TestApp } from '../support/test-app.js';
import { ledgerBalance, world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';

/*
 * Model-based test of the close-factor and absorb strategies (issue 16), a sibling of
 * model.test.ts: fast-check generates the strategy and its terms, a few borrowers (BTC collateral,
 * USDC debt) and a sequence of BTC price moves; a small model written from the strategies' specs
 * (Aave v3.3's LiquidationLogic, Comet's absorb; docs/presets.md) with plain decimal arithmetic,
 * no service code, predicts after each move every borrower's collateral, debt and surplus, and
 * the platform's books (liquidation fees, desk, collateral inventory, bad debt). The ledger must
 * balance after every move.
 *
 * Simplifications, to keep the model exact: the clock never moves, so no interest accrues (the
 * markets' day-0 rates are zero at utilisation 0; the exact figures at non-zero rates are in
 * liquidation-strategies.test.ts); one collateral asset and one debt asset per borrower. Each run
 * ends with every remaining loan repaid, so a later run's prices never touch an earlier run's accounts.
 */

const NUM_RUNS = Number(process.env.MODEL_STRATEGIES_RUNS ?? 20);
const SEED = Number(process.env.MODEL_STRATEGIES_SEED ?? 20261202);
const LT = dec('0.833'); // BTC's liquidation level (default)
const down = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_DOWN);
const halfUp = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
const ZERO = dec(0);
const ONE = dec(1);

interface Terms {
  strategy: 'close-factor' | 'absorb';
  closeFactor: string;
  fullCloseHealthFactor: string;
  fullCloseBelowValue: string;
  bonus: string;
  share: string;
  factor: string;
}
interface Borrower {
  btc: string;
  /** Debt as a share of the 0.5 limit, in percent. */
  ltvPercent: number;
}
interface ModelAccount {
  q: Decimal; // BTC units
  d: Decimal; // USDC units owed
  surplus: Decimal; // USDC position (absorb)
  liquidations: number;
}
interface Books {
  fees: Decimal;
  desk: Decimal;
  inventory: Decimal;
  badDebt: Decimal;
}

/** Aave v3.3 for one collateral and one debt asset at USDC = 1 (close-factor-plan's spec, written again). */
function closeFactorModel(a: ModelAccount, p: Decimal, t: Terms, books: Books): void {
  const weighted = a.q.times(p).times(LT);
  if (!weighted.lt(a.d)) return; // HF ≥ 1
  const below = dec(t.fullCloseBelowValue);
  const whole = weighted.lte(a.d.times(t.fullCloseHealthFactor)) || a.q.times(p).lt(below) || a.d.lt(below);
  const maxRepay = down(a.d.times(whole ? ONE : dec(t.closeFactor)), 6);
  const m = ONE.plus(t.bonus);
  const needed = maxRepay.times(m).div(p);
  const short = needed.gt(a.q);
  const seized = short ? a.q : down(needed, 8);
  const repaid = short ? Decimal.min(down(a.q.times(p).div(m), 6), maxRepay) : maxRepay;
  const protocol = halfUp(seized.minus(halfUp(seized.div(m), 8)).times(t.share), 8);
  books.fees = books.fees.plus(protocol);
  books.desk = books.desk.plus(seized.minus(protocol));
  a.q = a.q.minus(seized);
  a.d = a.d.minus(repaid);
  if (a.q.isZero()) {
    books.badDebt = books.badDebt.plus(a.d);
    a.d = ZERO;
  }
  a.liquidations += 1;
}

/** Comet's absorb for one collateral and one debt asset at USDC = 1. */
function absorbModel(a: ModelAccount, p: Decimal, t: Terms, books: Books): void {
  if (!a.d.gt(a.q.times(p).times(LT))) return;
  const credit = down(a.q.times(p).times(t.factor), 6);
  books.inventory = books.inventory.plus(a.q);
  a.q = ZERO;
  if (credit.gte(a.d)) a.surplus = a.surplus.plus(credit.minus(a.d));
  else books.badDebt = books.badDebt.plus(a.d.minus(credit));
  a.d = ZERO;
  a.liquidations += 1;
}

const aTerms: fc.Arbitrary<Terms> = fc.record({
  strategy: fc.constantFrom('close-factor' as const, 'absorb' as const),
  closeFactor: fc.constantFrom('0.5', '0.25', '0.75', '1'),
  fullCloseHealthFactor: fc.constantFrom('0.95', '0.9', '0'),
  fullCloseBelowValue: fc.constantFrom('0', '2000', '20000'),
  // BTC's level 0.833 × (1 + bonus) ≤ 1: bonus at most 0.2
  bonus: fc.constantFrom('0', '0.05', '0.1', '0.15', '0.2'),
  share: fc.constantFrom('0', '0.1', '0.5', '1'),
  factor: fc.constantFrom('0.8', '0.9', '0.93', '0.95', '1'),
});
const aBorrower: fc.Arbitrary<Borrower> = fc.record({
  btc: fc.integer({ min: 1_000_000, max: 300_000_000 }).map((sats) => dec(sats).div(1e8).toFixed(8)),
  ltvPercent: fc.integer({ min: 60, max: 100 }),
});
/** Each move: the new BTC price as a share of the last, in per mille (falls mostly, in steps, so that closes land at every health factor). */
const aMove = fc.oneof(fc.integer({ min: 850, max: 1020 }), fc.integer({ min: 600, max: 850 }));

describe('model-based: the close-factor and absorb strategies agree with a model of their specs', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('100000000');
  });
  afterAll(async () => {
    await app?.close();
  });

  const books = async (): Promise<Books> => ({
    fees: (await ledgerBalance(app, 'platform:liquidation_fees', 'BTC')).negated(),
    desk: (await ledgerBalance(app, 'platform:liquidation_desk', 'BTC')).negated(),
    inventory: (await ledgerBalance(app, 'platform:collateral_inventory', 'BTC')).negated(),
    badDebt: await ledgerBalance(app, 'platform:bad_debt', 'USDC'),
  });

  it('predicts every borrower and the platform’s books after every price move', async () => {
    let run = 0;
    /** What the runs exercised, so that "agrees" is not "agrees on nothing". */
    const seen = new Map<string, number>();
    const count = (what: string, n = 1) => seen.set(what, (seen.get(what) ?? 0) + n);
    await fc.assert(
      fc.asyncProperty(aTerms, fc.array(aBorrower, { minLength: 1, maxLength: 3 }), fc.array(aMove, { minLength: 3, maxLength: 8 }), async (terms, borrowers, moves) => {
        run += 1;
        await w.price('BTC', '50000');
        await app.admin
          .put('/v1/settings')
          .send({ liquidationStrategy: terms.strategy, closeFactor: terms.closeFactor, fullCloseHealthFactor: terms.fullCloseHealthFactor, fullCloseBelowValue: terms.fullCloseBelowValue })
          .expect(200);
        await app.admin.put('/v1/markets/BTC').send({ risk: { liquidationBonus: terms.bonus, protocolFeeShare: terms.share, liquidationFactor: terms.factor } }).expect(200);
        const start = await books();
        const model: Books = { ...start };
        const users = [];
        const accounts: ModelAccount[] = [];
        for (const [i, b] of borrowers.entries()) {
          const user = await w.user(`model-${run}-${i}`);
          await w.deposit(user.apiKey, user.accountId, 'BTC', b.btc);
          // The debt: ltvPercent % of the 0.5 limit, in whole cents (at least a cent).
          const debt = Decimal.max(down(dec(b.btc).times(50000).times('0.5').times(b.ltvPercent).div(100), 2), dec('0.01'));
          await w.borrow(user.apiKey, user.accountId, 'USDC', debt.toFixed(2));
          users.push(user);
          accounts.push({ q: dec(b.btc), d: debt, surplus: ZERO, liquidations: 0 });
        }
        let price = dec(50000);
        for (const [step, move] of moves.entries()) {
          price = down(price.times(move).div(1000), 2);
          await app.admin.put('/v1/prices/BTC?wait=true').send({ price: price.toFixed() }).expect(200);
          for (const a of accounts) {
            const before = { liquidations: a.liquidations, bad: model.badDebt, q: a.q };
            (terms.strategy === 'close-factor' ? closeFactorModel : absorbModel)(a, price, terms, model);
            if (a.liquidations > before.liquidations) count(`${terms.strategy} liquidation`);
            if (a.liquidations > before.liquidations && !a.q.isZero()) count(`${terms.strategy} partial`);
            if (model.badDebt.gt(before.bad)) count(`${terms.strategy} bad debt`);
            if (!a.surplus.isZero() && a.liquidations > before.liquidations) count(`${terms.strategy} surplus`);
          }
          const context = `${JSON.stringify(terms)} move ${step + 1} to ${price.toFixed()}`;
          for (const [i, user] of users.entries()) {
            const shown = await w.account(user.apiKey, user.accountId);
            const a = accounts[i];
            const holding = (asset: string) => shown.positions.find((p: { asset: string }) => p.asset === asset)?.amount ?? null;
            expect({ context, i, btc: holding('BTC'), usdc: holding('USDC'), debt: shown.loans[0]?.outstanding ?? null }).toEqual({
              context,
              i,
              btc: a.q.isZero() ? null : a.q.toFixed(8),
              usdc: a.surplus.isZero() ? null : a.surplus.toFixed(6),
              debt: a.d.isZero() ? null : a.d.toFixed(6),
            });
            const notices = (await app.api(user.apiKey).get(`/v1/accounts/${user.accountId}/notifications`).expect(200)).body;
            expect({ context, i, liquidations: notices.filter((n: { type: string; data: { strategy?: string } }) => n.type === 'liquidation' && n.data.strategy === terms.strategy).length }).toEqual({
              context,
              i,
              liquidations: a.liquidations,
            });
          }
          const real = await books();
          const show = (b: Books) => ({ fees: b.fees.toFixed(8), desk: b.desk.toFixed(8), inventory: b.inventory.toFixed(8), badDebt: b.badDebt.toFixed(6) });
          expect({ context, books: show(real) }).toEqual({ context, books: show(model) });
          await w.assertBalanced();
        }
        // Nothing left owed: the next run's prices cannot reach these accounts.
        for (const user of users) {
          const shown = await w.account(user.apiKey, user.accountId);
          for (const loan of shown.loans) await app.api(user.apiKey).post(`/v1/loans/${loan.id}/repayments`).send({ amount: 'all' }).expect(201);
        }
      }),
      { numRuns: NUM_RUNS, seed: SEED, endOnFailure: true },
    );
    process.stdout.write(`model-strategies: ${JSON.stringify(Object.fromEntries(seen))}\n`);
    expect(seen.get('close-factor liquidation') ?? 0).toBeGreaterThan(0);
    expect(seen.get('absorb liquidation') ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
