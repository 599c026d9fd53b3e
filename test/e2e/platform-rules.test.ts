import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { ClockService } from '../../src/clock/clock.service.js';
import { MarketsRepository } from '../../src/markets/markets.repository.js';
import { liveAt } from '../../src/markets/market-state.js';
import { AccountsService } from '../../src/accounts/accounts.service.js';
import { DepositsService } from '../../src/deposits/deposits.service.js';
import { parseAssetOnNetwork } from '../../src/common/money/parse-request.js';

/**
 * The platform rules of PUT /v1/settings (src/settings/platform-rules.ts; docs/presets.md):
 * no lock, a top-up that keeps the maturity, partial withdrawals, loyalty tiers off, extra
 * margin-call warning levels. USDC is lent out (60 % of it borrowed), so its rates are above
 * zero from the second day on and every position earns interest hour by hour. Each movement
 * rule runs on both money paths: the SQL-function path (a saver over HTTP) and the Prisma path
 * (DepositsService, called directly for a twin saver at the same instant; over HTTP for an
 * account with loans), and the twins must come out alike to the last unit.
 */
describe('platform rules', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  let prisma: PrismaService;
  let borrower: { apiKey: string; accountId: string };

  const settings = async (body: object) => (await app.admin.put('/v1/settings').send(body).expect(200)).body;
  const deposit = (key: string, accountId: string, asset: string, amount: string) =>
    app.api(key).post(`/v1/accounts/${accountId}/deposits`).send({ asset, amount }).expect(201);
  const withdraw = (key: string, accountId: string, body: { asset: string; amount?: string }) =>
    app.api(key).post(`/v1/accounts/${accountId}/withdrawals`).send(body);
  const position = async (key: string, accountId: string, asset: string) =>
    (await w.account(key, accountId)).positions.find((p: { asset: string }) => p.asset === asset);
  const notices = async (key: string, accountId: string, type: string) =>
    (await app.api(key).get(`/v1/accounts/${accountId}/notifications`).expect(200)).body.filter((n: { type: string }) => n.type === type);

  /** The same movements through the Prisma path (DepositsService), as the controller runs it when the fast path falls back. */
  const prismaPath = {
    deposit: (accountId: string, code: string, amount: string) => {
      const { asset, network } = parseAssetOnNetwork(code, undefined);
      return prisma.$transaction(async (tx) =>
        app.get(DepositsService).deposit(tx, await app.get(AccountsService).findForCaller({ kind: 'admin' }, accountId, tx), asset, dec(amount), network),
      );
    },
    withdraw: (accountId: string, code: string, amount?: string) => {
      const { asset } = parseAssetOnNetwork(code, undefined);
      return prisma.$transaction(async (tx) =>
        app.get(DepositsService).withdraw(tx, await app.get(AccountsService).findForCaller({ kind: 'admin' }, accountId, tx), asset, amount === undefined ? undefined : dec(amount)),
      );
    },
  };

  /** The position's stored scaled amount and principal, and the base lane's live supply index now. */
  const stored = async (accountId: string, asset: string) => {
    const [row] = await prisma.$queryRaw<{ scaled: string; principal: string }[]>`
      SELECT scaled::text, principal::text FROM positions WHERE account_id = ${accountId}::uuid AND asset = ${asset}`;
    const market = (await app.get(MarketsRepository).readAll()).find((m) => m.asset === asset)!;
    const index = liveAt(market, await app.get(ClockService).now()).lanes.base.supplyIndex;
    return { scaled: dec(row.scaled), principal: dec(row.principal), index };
  };

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    prisma = app.get(PrismaService);
    // Nothing changes until the rules are set: today's rules are the defaults.
    expect((await app.admin.get('/v1/settings').expect(200)).body).toEqual({
      lendingPeriodDays: 7,
      liquidationFee: '0.05',
      topUpResetsMaturity: true,
      wholePositionWithdrawals: true,
      loyaltyTiers: true,
      marginCallWarnings: [],
      liquidationStrategy: 'restore',
      closeFactor: '0.5',
      fullCloseHealthFactor: '0.95',
      fullCloseBelowValue: '2000',
      storeFrontPriceFactor: '0.5',
    });
    await w.lendingMarket('1000000'); // 1,000,000 USDC lent; BTC 50,000; 2026-01-01 00:00
    await w.price('LAB', '10');
    await settings({ lendingPeriodDays: 0 });
    borrower = await w.user('borrower');
    await w.deposit(borrower.apiKey, borrower.accountId, 'BTC', '30');
    await w.borrow(borrower.apiKey, borrower.accountId, 'USDC', '600000'); // LTV 0.4
    await w.advance({ days: 1 }); // 2026-01-02: USDC's rates are set at 60 % utilisation
    expect(dec((await w.market('USDC')).supplyApr).gt(0)).toBe(true);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('with a lending period of 0, matures a position at once: withdrawn at once, and hours later with its interest', async () => {
    const saver = await w.user('nolock');
    const twin = await w.user('nolock-twin');
    const first = await deposit(saver.apiKey, saver.accountId, 'USDC', '1000');
    expect(first.body.position).toMatchObject({ maturesAt: '2026-01-02T00:00:00.000Z', matured: true });
    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC' }).expect(201)).body).toEqual({ asset: 'USDC', amount: '1000.000000' });

    await deposit(saver.apiKey, saver.accountId, 'USDC', '1000');
    const viaPrisma = await prismaPath.deposit(twin.accountId, 'USDC', '1000');
    expect(viaPrisma.position).toMatchObject({ maturesAt: '2026-01-02T00:00:00.000Z', matured: true });
    await w.advance({ hours: 6 });
    const shown = (await position(saver.apiKey, saver.accountId, 'USDC')).amount;
    expect(dec(shown).gt(1000)).toBe(true);
    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC' }).expect(201)).body).toEqual({ asset: 'USDC', amount: shown });
    expect(await prismaPath.withdraw(twin.accountId, 'USDC')).toEqual({ asset: 'USDC', amount: shown });
    await w.assertBalanced();
  });

  it('pays part of a matured position, exactly the amount asked, the units taken rounded up; the rest keeps earning', async () => {
    await settings({ wholePositionWithdrawals: false });
    const saver = await w.user('partial');
    const twin = await w.user('partial-twin');
    await deposit(saver.apiKey, saver.accountId, 'USDC', '1000');
    await prismaPath.deposit(twin.accountId, 'USDC', '1000');
    await w.advance({ hours: 30 }); // across a 00:00: 2026-01-03 12:00

    const before = await stored(saver.accountId, 'USDC');
    const whole = before.scaled.times(before.index).toDecimalPlaces(6, Decimal.ROUND_DOWN);
    expect((await position(saver.apiKey, saver.accountId, 'USDC')).amount).toBe(whole.toFixed(6));
    expect(whole.gt(1000)).toBe(true);
    // The units taken round up at the 30th decimal (the platform never pays more than they are
    // worth); the principal taken is the same share, rounded down to the asset's decimals.
    const taken = dec(400).div(before.index).toDecimalPlaces(30, Decimal.ROUND_UP);
    const scaledLeft = before.scaled.minus(taken);
    const principalLeft = dec(1000).minus(dec(1000).times(taken).div(before.scaled).toDecimalPlaces(6, Decimal.ROUND_DOWN));
    const left = scaledLeft.times(before.index).toDecimalPlaces(6, Decimal.ROUND_DOWN);

    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC', amount: '400' }).expect(201)).body).toEqual({ asset: 'USDC', amount: '400.000000' });
    expect(await prismaPath.withdraw(twin.accountId, 'USDC', '400')).toEqual({ asset: 'USDC', amount: '400.000000' });
    for (const who of [saver, twin]) {
      const after = await stored(who.accountId, 'USDC');
      expect(after.scaled.toFixed()).toBe(scaledLeft.toFixed());
      expect(after.principal.toFixed(6)).toBe(principalLeft.toFixed(6));
      expect(await position(who.apiKey, who.accountId, 'USDC')).toMatchObject({
        amount: left.toFixed(6),
        principal: principalLeft.toFixed(6),
        interestEarned: left.minus(principalLeft).toFixed(6),
      });
    }
    // What is left plus what was paid never exceeds what the position was worth.
    expect(left.plus(400).lte(whole)).toBe(true);
    expect(whole.minus(400).minus(left).lte('0.000001')).toBe(true);
    const lines = (await app.api(saver.apiKey).get(`/v1/accounts/${saver.accountId}/transactions`).expect(200)).body;
    expect(lines[0]).toMatchObject({ type: 'withdrawal', asset: 'USDC', amount: '400.000000' });

    // More than the position: refused, nothing changed.
    const tooMuch = await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC', amount: left.plus('0.000001').toFixed(6) }).expect(422);
    expect(tooMuch.body).toMatchObject({ code: 'AMOUNT_EXCEEDS_POSITION', details: { wholePosition: left.toFixed(6) } });
    expect((await stored(saver.accountId, 'USDC')).scaled.toFixed()).toBe(scaledLeft.toFixed());
    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC', amount: '0' }).expect(400)).body.code).toBe('VALIDATION_FAILED');

    // Five hours on, the rest has earned interest, and all of it is paid.
    await w.advance({ hours: 5 });
    const rest = (await position(saver.apiKey, saver.accountId, 'USDC')).amount;
    expect(dec(rest).gt(left)).toBe(true);
    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC' }).expect(201)).body).toEqual({ asset: 'USDC', amount: rest });
    expect(await prismaPath.withdraw(twin.accountId, 'USDC', rest)).toEqual({ asset: 'USDC', amount: rest });
    expect(await position(saver.apiKey, saver.accountId, 'USDC')).toBeUndefined();
    await w.assertBalanced();
  });

  it('lets a borrower take part of a collateral position only while the loans stay covered by what is left (the Prisma path)', async () => {
    // 30 BTC at 50,000 hold 600,000 USDC (LTV 0.4): 25 BTC still do (0.48), 19 do not (0.63).
    expect((await withdraw(borrower.apiKey, borrower.accountId, { asset: 'BTC', amount: '5' }).expect(201)).body).toEqual({ asset: 'BTC', amount: '5.00000000' });
    const refused = await withdraw(borrower.apiKey, borrower.accountId, { asset: 'BTC', amount: '6' }).expect(409);
    expect(refused.body.code).toBe('LTV_LIMIT_EXCEEDED');
    expect((await position(borrower.apiKey, borrower.accountId, 'BTC')).amount).toBe('25.00000000');

    // Whole positions only again: part is refused as the contract says.
    await settings({ wholePositionWithdrawals: true });
    const partial = await withdraw(borrower.apiKey, borrower.accountId, { asset: 'BTC', amount: '1' }).expect(422);
    expect(partial.body).toMatchObject({ code: 'PARTIAL_WITHDRAWAL_NOT_ALLOWED', details: { wholePosition: '25.00000000' } });
    await w.assertBalanced();
  });

  it('keeps a position’s maturity at its first deposit when top-ups do not reset it; a closed position opens anew', async () => {
    // Hours from now (2026-01-03 17:00 when the tests before have run).
    const start = new Date((await app.admin.get('/v1/clock').expect(200)).body.now).getTime();
    const at = (hours: number) => new Date(start + hours * 3_600_000).toISOString();
    await settings({ lendingPeriodDays: 3, topUpResetsMaturity: false });
    const saver = await w.user('keeper');
    const twin = await w.user('keeper-twin');
    await deposit(saver.apiKey, saver.accountId, 'USDC', '100');
    await prismaPath.deposit(twin.accountId, 'USDC', '100');

    await w.advance({ hours: 30 });
    const topUp = await deposit(saver.apiKey, saver.accountId, 'USDC', '50');
    expect(topUp.body.position).toMatchObject({ maturesAt: at(72), matured: false });
    expect(dec(topUp.body.position.amount).gt(150)).toBe(true);
    expect((await prismaPath.deposit(twin.accountId, 'USDC', '50')).position).toEqual(topUp.body.position);

    await w.advance({ hours: 41 }); // an hour before the first deposit's maturity
    const locked = await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC' }).expect(409);
    expect(locked.body).toMatchObject({ code: 'POSITION_LOCKED', details: { maturesAt: at(72) } });
    await w.advance({ hours: 1 });
    const shown = (await position(saver.apiKey, saver.accountId, 'USDC')).amount;
    expect((await withdraw(saver.apiKey, saver.accountId, { asset: 'USDC' }).expect(201)).body).toEqual({ asset: 'USDC', amount: shown });
    expect(await prismaPath.withdraw(twin.accountId, 'USDC')).toEqual({ asset: 'USDC', amount: shown });

    // A deposit into the closed position is a first deposit: one lending period from now, on both paths.
    const reopened = await deposit(saver.apiKey, saver.accountId, 'USDC', '10');
    expect(reopened.body.position).toMatchObject({ maturesAt: at(144), principal: '10.000000' });
    expect((await prismaPath.deposit(twin.accountId, 'USDC', '10')).position).toMatchObject({ maturesAt: at(144) });

    // Resetting again: a top-up moves the whole position.
    await settings({ topUpResetsMaturity: true });
    await w.advance({ hours: 1 });
    expect((await deposit(saver.apiKey, saver.accountId, 'USDC', '1')).body.position.maturesAt).toBe(at(145));
    expect((await prismaPath.deposit(twin.accountId, 'USDC', '1')).position.maturesAt).toBe(at(145));
    await settings({ lendingPeriodDays: 0 });
    await w.assertBalanced();
  });

  it('keeps everyone in the base tier while loyalty tiers are off; a tier held goes back to base at the next 00:00', async () => {
    const loyal = await w.user('loyal');
    await w.deposit(loyal.apiKey, loyal.accountId, 'BTC', '1');
    await w.deposit(loyal.apiKey, loyal.accountId, 'LAB', '300'); // 3,000 / 53,000 = 5.7 %: gold
    await w.advance({ days: 1 });
    expect((await w.account(loyal.apiKey, loyal.accountId)).tier).toBe('gold');

    await settings({ loyaltyTiers: false });
    const newcomer = await w.user('newcomer');
    await w.deposit(newcomer.apiKey, newcomer.accountId, 'BTC', '1');
    await w.deposit(newcomer.apiKey, newcomer.accountId, 'LAB', '300');
    expect((await w.account(loyal.apiKey, loyal.accountId)).tier).toBe('gold'); // until 00:00
    await w.advance({ days: 1 });
    expect((await w.account(loyal.apiKey, loyal.accountId)).tier).toBe('base');
    expect((await w.account(newcomer.apiKey, newcomer.accountId)).tier).toBe('base');
    expect((await notices(loyal.apiKey, loyal.accountId, 'tier_change')).map((n: { data: { from: string; to: string } }) => [n.data.from, n.data.to])).toEqual([
      ['base', 'gold'],
      ['gold', 'base'],
    ]);
    await w.advance({ hours: 30 });
    expect((await w.account(newcomer.apiKey, newcomer.accountId)).tier).toBe('base');

    await settings({ loyaltyTiers: true });
    await w.advance({ days: 1 });
    expect((await w.account(newcomer.apiKey, newcomer.accountId)).tier).toBe('gold');
    await w.assertBalanced();
  });

  it('sends a margin_call_warning once per crossing of each warning level, and none for levels not crossed', async () => {
    expect((await settings({ marginCallWarnings: ['0.55', '0.6', '0.65'] })).marginCallWarnings).toEqual(['0.55', '0.6', '0.65']);
    const user = await w.user('warned');
    await w.deposit(user.apiKey, user.accountId, 'BTC', '1');
    await w.borrow(user.apiKey, user.accountId, 'USDC', '25000'); // LTV 0.5 at 50,000
    // LTV 0.556 (0.55), 0.625 (0.6), 0.556 (back under 0.6), 0.658 (0.6 again, 0.65), the same,
    // 0.417 (under them all), 0.556 (0.55 again).
    for (const price of ['45000', '40000', '45000', '38000', '38000', '60000', '45000']) {
      await app.admin.put('/v1/prices/BTC?wait=true').send({ price }).expect(200);
    }
    const warnings = await notices(user.apiKey, user.accountId, 'margin_call_warning');
    expect(warnings.map((n: { data: { level: string } }) => n.data.level)).toEqual(['0.55', '0.6', '0.6', '0.65', '0.55']);
    expect(warnings[0].data).toMatchObject({ marginCallLtv: '0.714', liquidationLtv: '0.833', currency: 'USD' });
    expect(dec(warnings[0].data.ltv).gte('0.55')).toBe(true);
    expect(await notices(user.apiKey, user.accountId, 'margin_call')).toEqual([]);
    // The borrower (25 BTC for 600,542 USDC): 0.534, 0.601 (0.55 and 0.6 at once), 0.534 (under both), 0.632 (both again), 0.632, 0.4, 0.534.
    const borrowerWarnings = await notices(borrower.apiKey, borrower.accountId, 'margin_call_warning');
    expect(borrowerWarnings.map((n: { data: { level: string } }) => n.data.level)).toEqual(['0.55', '0.6', '0.55', '0.6']);

    // Levels off: no more warnings.
    await settings({ marginCallWarnings: [] });
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '38000' }).expect(200);
    expect(await notices(user.apiKey, user.accountId, 'margin_call_warning')).toHaveLength(5);
    await app.admin.put('/v1/prices/BTC?wait=true').send({ price: '50000' }).expect(200);
  });

  it('refuses bad values with 400 VALIDATION_FAILED naming the field, changing nothing', async () => {
    await settings({ topUpResetsMaturity: true, marginCallWarnings: ['0.7'] });
    const before = (await app.admin.get('/v1/settings').expect(200)).body;
    const bad: [object, string][] = [
      [{ topUpResetsMaturity: 'false' }, 'topUpResetsMaturity'],
      [{ wholePositionWithdrawals: 1 }, 'wholePositionWithdrawals'],
      [{ loyaltyTiers: null }, 'loyaltyTiers'],
      [{ lendingPeriodDays: -1 }, 'lendingPeriodDays'],
      [{ marginCallWarnings: '0.7' }, 'marginCallWarnings'],
      [{ marginCallWarnings: [0.7] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['0.7', '0.6'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['0.6', '0.6'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['0'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['1'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['1.5'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['-0.5'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['0.123456789'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: ['.7'] }, 'marginCallWarnings'],
      [{ marginCallWarnings: Array.from({ length: 11 }, (_, i) => `0.${i + 10}`) }, 'marginCallWarnings'],
      // A good field beside a bad one: neither is stored.
      [{ topUpResetsMaturity: false, marginCallWarnings: ['0.9', '0.8'] }, 'marginCallWarnings'],
    ];
    for (const [body, field] of bad) {
      const response = await app.admin.put('/v1/settings').send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(response.body.details.fields ?? {})).toContain(field);
    }
    expect((await app.admin.get('/v1/settings').expect(200)).body).toEqual(before);
  });
});
