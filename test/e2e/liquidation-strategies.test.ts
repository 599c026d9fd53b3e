import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { ledgerBalance, world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PricesService } from '../../src/prices/prices.service.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';

/*
 * The close-factor (Aave v3) and absorb (Compound v3) liquidation strategies, end to end against
 * real Postgres, with figures worked out by hand from the contract-level formulas below (no service
 * code): at non-zero rates (the loans accrue a day of interest first, so every debt carries
 * interest), the ledger balanced after each step, lenders whole (their positions untouched by
 * the losses), and GET /v1/ledger/check balanced.
 */

const down = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_DOWN);
const halfUp = (x: Decimal, places: number) => x.toDecimalPlaces(places, Decimal.ROUND_HALF_UP);
/** How the notices show a rate (30 significant digits). */
const shown = (x: Decimal) => x.toSignificantDigits(30).toFixed();

interface User {
  apiKey: string;
  accountId: string;
}

describe('liquidation strategies', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  let lender: User;

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    lender = await w.lendingMarket('1000000');
    await w.price('ETH', '3000');
  });
  afterAll(async () => {
    await app?.close();
  });

  const account = (u: User) => w.account(u.apiKey, u.accountId);
  const notices = async (u: User) => (await app.api(u.apiKey).get(`/v1/accounts/${u.accountId}/notifications`).expect(200)).body;
  const lenderUsdc = async () => (await account(lender)).positions.find((p: { asset: string }) => p.asset === 'USDC').amount;
  const setPrice = (asset: string, price: string) => app.admin.put(`/v1/prices/${asset}?wait=true`).send({ price }).expect(200);

  it('exposes the strategy settings and market terms, defaults as today, and refuses bad values naming the field', async () => {
    const settings = (await app.admin.get('/v1/settings').expect(200)).body;
    expect(settings).toMatchObject({
      lendingPeriodDays: 7,
      liquidationFee: '0.05',
      liquidationStrategy: 'restore',
      closeFactor: '0.5',
      fullCloseHealthFactor: '0.95',
      fullCloseBelowValue: '2000',
      storeFrontPriceFactor: '0.5',
    });
    expect((await w.market('BTC')).risk).toEqual({
      maxLtv: '0.5',
      marginCallLtv: '0.714',
      liquidationLtv: '0.833',
      liquidationBonus: '0.05',
      protocolFeeShare: '0.1',
      liquidationFactor: '0.95',
    });
    const refused = async (body: object, field: string, path = '/v1/settings') => {
      const res = await app.admin.put(path).send(body).expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(JSON.stringify(res.body.details)).toContain(field);
    };
    await refused({ liquidationStrategy: 'auction' }, 'liquidationStrategy');
    await refused({ closeFactor: '0' }, 'closeFactor');
    await refused({ closeFactor: '1.5' }, 'closeFactor');
    await refused({ fullCloseHealthFactor: '0.123456789' }, 'fullCloseHealthFactor');
    await refused({ fullCloseBelowValue: '-1' }, 'fullCloseBelowValue');
    await refused({ storeFrontPriceFactor: 0.5 }, 'storeFrontPriceFactor');
    await refused({ risk: { liquidationBonus: '1' } }, 'risk.liquidationBonus', '/v1/markets/BTC');
    await refused({ risk: { protocolFeeShare: '1.01' } }, 'risk.protocolFeeShare', '/v1/markets/BTC');
    await refused({ risk: { liquidationFactor: '0' } }, 'risk.liquidationFactor', '/v1/markets/BTC');

    // Restore bounds the level by the fee (the contract's check, unchanged) ...
    await refused({ risk: { liquidationLtv: '0.96' } }, 'risk.liquidationLtv', '/v1/markets/SOL');
    // ... close-factor by level × (1 + bonus) ≤ 1 (SOL: 0.75 × 1.4 = 1.05) ...
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'close-factor' }).expect(200);
    await refused({ risk: { liquidationBonus: '0.4' } }, 'risk.liquidationBonus', '/v1/markets/SOL');
    await app.admin.put('/v1/markets/SOL').send({ risk: { liquidationBonus: '0.3333' } }).expect(200); // 0.75 × 1.3333 = 0.999975
    // ... absorb by nothing beyond the levels' order; and a strategy is refused while a market does not fit it.
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'absorb' }).expect(200);
    await app.admin.put('/v1/markets/SOL').send({ risk: { liquidationLtv: '0.96' } }).expect(200);
    await refused({ liquidationStrategy: 'restore' }, 'liquidationStrategy');
    await refused({ liquidationStrategy: 'close-factor' }, 'liquidationStrategy');
    await app.admin.put('/v1/markets/SOL').send({ risk: { liquidationLtv: '0.75', liquidationBonus: '0.05' } }).expect(200);
    const back = (await app.admin.put('/v1/settings').send({ liquidationStrategy: 'restore', closeFactor: '0.5', fullCloseBelowValue: '2000.5' }).expect(200)).body;
    expect(back).toMatchObject({ liquidationStrategy: 'restore', closeFactor: '0.5', fullCloseBelowValue: '2000.5' });
    await app.admin.put('/v1/settings').send({ fullCloseBelowValue: '2000' }).expect(200);
  });

  it('close-factor: half the debt, then the whole of it below HF 0.95 with the deficit written off, and whole under $2,000', async () => {
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'close-factor', closeFactor: '0.5', fullCloseHealthFactor: '0.95', fullCloseBelowValue: '2000' }).expect(200);
    await app.admin.put('/v1/markets/BTC').send({ risk: { liquidationBonus: '0.1', protocolFeeShare: '0.1' } }).expect(200); // 0.833 × 1.1 = 0.9163 ≤ 1
    const bonus = dec('0.1');
    const share = dec('0.1');
    const lt = dec('0.833');

    const a = await w.user('aave-a');
    await w.deposit(a.apiKey, a.accountId, 'BTC', '1');
    await w.borrow(a.apiKey, a.accountId, 'USDC', '25000'); // LTV 0.5 at 50,000
    await w.advance({ days: 2 }); // the first 00:00 sets a rate from the loan's utilisation, the second day accrues at it
    const small = await w.user('aave-small');
    await w.deposit(small.apiKey, small.accountId, 'BTC', '0.1');
    await w.borrow(small.apiKey, small.accountId, 'USDC', '1900');

    const debtA = dec((await account(a)).loans[0].outstanding);
    expect(debtA.gt(25000)).toBe(true); // interest accrued: the rates are not zero
    const held = dec((await account(a)).positions[0].amount);
    const lenderBefore = await lenderUsdc();
    const cashBefore = dec((await w.market('USDC')).availableLiquidity);

    // Step 1, BTC 29,900: HF = Q·p·lt / D = 0.9962… in (0.95, 1): half the debt.
    await setPrice('BTC', '29900');
    const p1 = dec(29900);
    const hf1 = held.times(p1).times(lt).div(debtA);
    expect(hf1.gt('0.95') && hf1.lt(1)).toBe(true);
    const maxRepay1 = down(debtA.times('0.5'), 6); // ⌊D × 0.5⌋ to USDC's 6 decimals
    const seized1 = down(maxRepay1.times(bonus.plus(1)).div(p1), 8); // ⌊repaid × (1 + bonus) / p⌋ to 8 decimals
    const base1 = halfUp(seized1.div(bonus.plus(1)), 8); // the seized units without the bonus
    const protocol1 = halfUp(seized1.minus(base1).times(share), 8); // the platform's share of the bonus part
    const liquidator1 = seized1.minus(protocol1); // the platform as liquidator: its desk
    let shownA = await account(a);
    expect(shownA.positions[0].amount).toBe(held.minus(seized1).toFixed(8));
    expect(shownA.loans[0].outstanding).toBe(debtA.minus(maxRepay1).toFixed(6));
    expect((await ledgerBalance(app, 'platform:liquidation_fees', 'BTC')).toFixed(8)).toBe(protocol1.negated().toFixed(8));
    expect((await ledgerBalance(app, 'platform:liquidation_desk', 'BTC')).toFixed(8)).toBe(liquidator1.negated().toFixed(8));
    let n = (await notices(a)).filter((x: { type: string }) => x.type === 'liquidation');
    expect(n).toHaveLength(1);
    const hfAfter1 = held.minus(seized1).times(p1).times(lt).div(debtA.minus(maxRepay1));
    expect(n[0].data).toMatchObject({
      strategy: 'close-factor',
      healthFactorBefore: shown(hf1),
      healthFactorAfter: shown(hfAfter1),
      closeFactor: '0.5',
      maxRepay: { asset: 'USDC', units: maxRepay1.toFixed() },
      repaid: { asset: 'USDC', units: maxRepay1.toFixed() },
      badDebt: '0',
      steps: [
        {
          seized: { asset: 'BTC', units: seized1.toFixed(8), price: '29900', value: seized1.times(p1).toFixed() },
          bonus: '0.1',
          // What the close cost the borrower: seized value − repaid × USDC's price 1 (the comparison's "fees paid").
          repaidValue: maxRepay1.toFixed(),
          bonusValue: seized1.times(p1).minus(maxRepay1).toFixed(),
          liquidator: { asset: 'BTC', units: liquidator1.toFixed(8) },
          protocolFee: { asset: 'BTC', units: protocol1.toFixed(8) },
          repaid: [{ asset: 'USDC', units: maxRepay1.toFixed(6) }],
        },
      ],
    });
    expect(hfAfter1.gt(1)).toBe(true);
    expect(shownA.status).not.toBe('liquidating');
    // The same price again is a new sweep but finds the account above HF 1: nothing more.
    await setPrice('BTC', '29900');
    expect((await notices(a)).filter((x: { type: string }) => x.type === 'liquidation')).toHaveLength(1);
    await w.assertBalanced();

    // Step 2, BTC 22,000. A: HF = 0.54…·22,000·0.833 / 12,500… ≤ 0.95: the whole debt; the BTC
    // left is short of it, so all is seized, repaid = ⌊units × p / (1 + bonus)⌋ and the rest is
    // the deficit, written off. Small: HF 0.9645 > 0.95, but a debt under $2,000: whole.
    const debtA2 = debtA.minus(maxRepay1);
    const heldA2 = held.minus(seized1);
    const debtSmall = dec((await account(small)).loans[0].outstanding);
    expect(debtSmall.toFixed(6)).toBe('1900.000000'); // borrowed after the advance, at this instant
    const lenderMid = await lenderUsdc();
    expect(lenderMid).toBe(lenderBefore);
    await setPrice('BTC', '22000');
    const p2 = dec(22000);
    expect(heldA2.times(p2).times(lt).lte(debtA2.times('0.95'))).toBe(true);
    const repaidA2 = down(heldA2.times(p2).div(bonus.plus(1)), 6); // short collateral: ⌊all units × p / (1 + bonus)⌋
    const deficitA = debtA2.minus(repaidA2); // no collateral left: written off
    const protocolA2 = halfUp(heldA2.minus(halfUp(heldA2.div(bonus.plus(1)), 8)).times(share), 8);
    shownA = await account(a);
    expect(shownA.positions).toEqual([]);
    expect(shownA.loans).toEqual([]);
    n = (await notices(a)).filter((x: { type: string }) => x.type === 'liquidation');
    expect(n).toHaveLength(2);
    expect(n[1].data).toMatchObject({
      strategy: 'close-factor',
      closeFactor: '1',
      maxRepay: { asset: 'USDC', units: debtA2.toFixed() },
      repaid: { asset: 'USDC', units: repaidA2.toFixed() },
      badDebt: deficitA.toFixed(), // USD at USDC = 1
      healthFactorAfter: null,
      steps: [{ seized: { asset: 'BTC', units: heldA2.toFixed(8) }, protocolFee: { units: protocolA2.toFixed(8) }, repaid: [{ units: repaidA2.toFixed(6) }] }],
    });
    expect((await ledgerBalance(app, 'platform:bad_debt', 'USDC')).toFixed(6)).toBe(deficitA.toFixed(6));

    const seizedSmall = down(debtSmall.times(bonus.plus(1)).div(p2), 8); // 1,900 × 1.1 / 22,000 = 0.095
    expect(seizedSmall.toFixed(8)).toBe('0.09500000');
    const shownSmall = await account(small);
    expect(shownSmall.positions[0].amount).toBe('0.00500000'); // 0.1 − 0.095
    expect(shownSmall.loans).toEqual([]);
    const smallNotice = (await notices(small)).find((x: { type: string }) => x.type === 'liquidation');
    expect(smallNotice.data).toMatchObject({ strategy: 'close-factor', closeFactor: '1', badDebt: '0', repaid: { units: '1900' } });

    // Lenders whole: the lender's position did not move; the market got back every unit repaid or written off.
    expect(await lenderUsdc()).toBe(lenderBefore);
    const cashAfter = dec((await w.market('USDC')).availableLiquidity);
    expect(cashAfter.minus(cashBefore).toFixed(6)).toBe(debtA.plus(debtSmall).toFixed(6)); // A's whole debt (repaid and written off) and small's
    await w.assertBalanced();
  });

  it('close-factor: one close per sweep, even when the account stays below HF 1; the next sweep closes again', async () => {
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'close-factor' }).expect(200);
    // SOL at 0.75 × (1 + 0.3333) = 0.999975: a half close barely improves the health factor.
    await app.admin.put('/v1/markets/SOL').send({ risk: { liquidationBonus: '0.3333' } }).expect(200);
    await w.price('SOL', '150');
    const u = await w.user('aave-again');
    await w.deposit(u.apiKey, u.accountId, 'SOL', '100');
    await w.borrow(u.apiKey, u.accountId, 'USDC', '6000'); // LTV 0.4
    // Set without a sweep (the service, not the API): the reviews below are the sweeps.
    await app.get(PricesService).set('SOL', '76.8'); // HF = 100 × 76.8 × 0.75 / 6,000 = 0.96
    const reviews = app.get(LiquidationService);
    expect((await reviews.reviewMany([u.accountId], 'sweep-1'))[0]).toMatchObject({ liquidated: true, statusAfter: 'liquidating' });
    // Repaid 3,000, seized ⌊3,000 × 1.3333 / 76.8⌋ = 52.08203125 SOL: HF (47.91796875 × 76.8 × 0.75) / 3,000 = 0.9200…
    expect((await account(u)).positions[0].amount).toBe('47.917968750');
    // The same sweep again (a job retried after its commit): nothing more.
    expect((await reviews.reviewMany([u.accountId], 'sweep-1'))[0]).toMatchObject({ liquidated: false, statusAfter: 'liquidating' });
    expect((await account(u)).positions[0].amount).toBe('47.917968750');
    // The next sweep: HF ≤ 0.95, the whole debt; the SOL is short of it, all of it is seized.
    expect((await reviews.reviewMany([u.accountId], 'sweep-2'))[0]).toMatchObject({ liquidated: true, statusAfter: 'healthy' });
    expect((await account(u)).positions).toEqual([]);
    expect((await notices(u)).filter((x: { type: string }) => x.type === 'liquidation').map((x: { data: { closeFactor: string } }) => x.data.closeFactor)).toEqual(['0.5', '1']);
    await app.admin.put('/v1/markets/SOL').send({ risk: { liquidationBonus: '0.05' } }).expect(200);
    await w.price('SOL', '150');
    await w.assertBalanced();
  });

  it('absorb: all collateral to the platform, the credit repays, a surplus stays as a USDC position, a shortfall is bad debt', async () => {
    await setPrice('BTC', '50000');
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'absorb', storeFrontPriceFactor: '0.5' }).expect(200);
    await app.admin.put('/v1/markets/ETH').send({ risk: { liquidationFactor: '0.93' } }).expect(200);
    const factor = dec('0.93');
    const badDebtBefore = await ledgerBalance(app, 'platform:bad_debt', 'USDC');

    const e = await w.user('comet-e');
    await w.deposit(e.apiKey, e.accountId, 'ETH', '10');
    await w.borrow(e.apiKey, e.accountId, 'USDC', '15000'); // LTV 0.5 at 3,000
    const f = await w.user('comet-f');
    await w.deposit(f.apiKey, f.accountId, 'ETH', '20');
    await w.borrow(f.apiKey, f.accountId, 'USDC', '15000'); // LTV 0.25
    await w.advance({ days: 1 });
    const debtE = dec((await account(e)).loans[0].outstanding);
    const debtF = dec((await account(f)).loans[0].outstanding);
    expect(debtE.gt(15000) && debtF.gt(15000)).toBe(true);
    const ethMaturity = (await account(e)).positions[0].maturesAt;
    const lenderBefore = await lenderUsdc();

    // ETH 1,800. E: debt > 10 × 1,800 × 0.833 = 14,994: absorbed. Credit = ⌊18,000 × 0.93⌋ = 16,740 > debt.
    await setPrice('ETH', '1800');
    const credit = down(dec(10).times(1800).times(factor), 6);
    expect(credit.toFixed(6)).toBe('16740.000000');
    const surplus = credit.minus(debtE);
    const shownE = await account(e);
    expect(shownE.loans).toEqual([]);
    expect(shownE.positions).toEqual([
      // The surplus keeps the absorbed ETH's lock (it matured later than now).
      expect.objectContaining({ asset: 'USDC', amount: surplus.toFixed(6), principal: surplus.toFixed(6), maturesAt: ethMaturity, matured: false }),
    ]);
    expect((await ledgerBalance(app, 'platform:collateral_inventory', 'ETH')).toFixed(18)).toBe(dec(-10).toFixed(18));
    const noticeE = (await notices(e)).find((x: { type: string }) => x.type === 'liquidation');
    expect(noticeE.data).toMatchObject({
      strategy: 'absorb',
      ltvBefore: shown(debtE.div(18000)),
      liquidationLevel: '0.833',
      absorbed: [{ asset: 'ETH', units: dec(10).toFixed(18), price: '1800', value: '18000', liquidationFactor: '0.93', credited: '16740', storeFrontPrice: '1737' }], // 1,800 × (1 − 0.5 × 0.07)
      credit: { asset: 'USDC', units: '16740', value: '16740' },
      repaid: [{ asset: 'USDC', units: debtE.toFixed(6) }],
      surplus: { asset: 'USDC', units: surplus.toFixed(6), maturesAt: ethMaturity },
      badDebt: '0',
      protocolResultIfSold: '630', // 10 × 1,737 − debt − surplus = 17,370 − 16,740
    });
    const lines = (await app.api(e.apiKey).get(`/v1/accounts/${e.accountId}/transactions`).expect(200)).body;
    expect(lines.slice(0, 2).map((l: { type: string; asset: string; amount: string }) => [l.type, l.asset, l.amount])).toEqual([
      ['absorb_credit', 'USDC', '16740.000000'],
      ['liquidation', 'ETH', dec(10).toFixed(18)],
    ]);
    // F at 1,800: LTV 0.42, untouched.
    expect((await account(f)).positions[0].amount).toBe(dec(20).toFixed(18));
    await w.assertBalanced();

    // ETH 800. F: credit = ⌊20 × 800 × 0.93⌋ = 14,880 < debt: the shortfall is bad debt.
    await setPrice('ETH', '800');
    const creditF = dec(14880);
    const shortfall = debtF.minus(creditF);
    const shownF = await account(f);
    expect(shownF.positions).toEqual([]);
    expect(shownF.loans).toEqual([]);
    const noticeF = (await notices(f)).find((x: { type: string }) => x.type === 'liquidation');
    expect(noticeF.data).toMatchObject({ strategy: 'absorb', credit: { units: '14880' }, surplus: null, badDebt: shortfall.toFixed() });
    expect((await ledgerBalance(app, 'platform:bad_debt', 'USDC')).minus(badDebtBefore).toFixed(6)).toBe(shortfall.toFixed(6));
    expect((await ledgerBalance(app, 'platform:collateral_inventory', 'ETH')).toFixed(18)).toBe(dec(-30).toFixed(18));
    // E, holding only USDC now, is untouched by the ETH crash; the lender is whole.
    expect((await account(e)).positions[0].amount).toBe(surplus.toFixed(6));
    expect(await lenderUsdc()).toBe(lenderBefore);
    await w.assertBalanced();
    await app.admin.put('/v1/settings').send({ liquidationStrategy: 'restore' }).expect(200);
  });
});
