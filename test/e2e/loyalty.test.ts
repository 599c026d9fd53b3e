import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { Decimal, dec } from '../../src/common/money/decimal.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';

const ONE = dec(1);

async function ledgerBalance(app: TestApp, code: string, asset: string): Promise<Decimal> {
  const row = await app.get(PrismaService).ledgerAccount.findUnique({ where: { code_asset: { code, asset } } });
  return dec(row?.balance ?? '0');
}

/**
 * Each lane's principal beside that of the holdings of the accounts in its tier, per asset and
 * tier where either is not zero: a tier change moves a holding's principal with its scaled amount.
 */
async function lanePrincipals(app: TestApp): Promise<{ lane: string; kept: string; held: string }[]> {
  return app.get(PrismaService).$queryRaw`
    SELECT l.asset || ' ' || l.tier || ' ' || side.name AS lane, side.kept::text AS kept, side.held::text AS held
    FROM market_lanes l
    CROSS JOIN LATERAL (VALUES
      ('supply', l.supply_principal, (SELECT coalesce(sum(p.principal), 0) FROM positions p JOIN accounts a ON a.id = p.account_id WHERE p.asset = l.asset AND a.tier = l.tier)),
      ('borrow', l.borrow_principal, (SELECT coalesce(sum(o.principal), 0) FROM loans o JOIN accounts a ON a.id = o.account_id WHERE o.asset = l.asset AND a.tier = l.tier))
    ) AS side(name, kept, held)
    WHERE side.kept <> 0 OR side.held <> 0
    ORDER BY 1`;
}

/** Loyalty tiers (rate-and-risk-models.md): LAB share of collateral value sets the tier at 00:00. */
describe('loyalty tiers', () => {
  let app: TestApp;
  let w: ReturnType<typeof world>;
  const people: Record<string, { apiKey: string; accountId: string }> = {};

  beforeAll(async () => {
    app = await startTestApp();
    w = world(app);
    await w.lendingMarket('1000000'); // BTC 50,000, USDC 1; the clock stands at 2026-01-01 00:00
    await w.price('LAB', '10');
    for (const [name, btc, lab] of [
      ['gold', '1', '300'], // 3,000 / 53,000 = 5.7 %
      ['silver', '1', '60'], // 600 / 50,600 = 1.2 %
      ['small', '0.05', '100'], // 28 % of 3,500: under the $5,000 minimum
      ['twin', '1', null], // gold without LAB
    ] as const) {
      const user = await w.user(name);
      people[name] = user;
      await w.deposit(user.apiKey, user.accountId, 'BTC', btc);
      if (lab) await w.deposit(user.apiKey, user.accountId, 'LAB', lab);
    }
    await w.borrow(people.gold.apiKey, people.gold.accountId, 'USDC', '10000');
    await w.borrow(people.twin.apiKey, people.twin.accountId, 'USDC', '10000');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('starts everyone at base and sets each tier at the next 00:00, without moving any value', async () => {
    for (const name of Object.keys(people)) expect((await w.account(people[name].apiKey, people[name].accountId)).tier).toBe('base');
    await w.advance({ days: 1 });
    const tiers = Object.fromEntries(
      await Promise.all(Object.entries(people).map(async ([name, p]) => [name, (await w.account(p.apiKey, p.accountId)).tier])),
    );
    expect(tiers).toEqual({ gold: 'gold', silver: 'silver', small: 'base', twin: 'base' });
    // The gold and silver accounts' principal left the base lanes with them.
    const principals = await lanePrincipals(app);
    expect(principals.map((p) => p.lane)).toEqual(
      expect.arrayContaining(['BTC gold supply', 'BTC silver supply', 'LAB gold supply', 'USDC gold borrow', 'USDC base borrow']),
    );
    for (const p of principals) expect(p.kept).toBe(p.held);
    // Day 1 was accrued at base rates for everyone, and moving lanes at 00:00 kept every value.
    const gold = await w.account(people.gold.apiKey, people.gold.accountId);
    const twin = await w.account(people.twin.apiKey, people.twin.accountId);
    expect(gold.positions.find((p: { asset: string }) => p.asset === 'BTC').amount).toBe(twin.positions[0].amount);
    expect(gold.loans[0].outstanding).toBe(twin.loans[0].outstanding);
    const notices = (await app.api(people.gold.apiKey).get(`/v1/accounts/${people.gold.accountId}/notifications`).expect(200)).body;
    expect(notices.filter((n: { type: string }) => n.type === 'tier_change').map((n: { data: object }) => n.data)).toEqual([
      expect.objectContaining({ from: 'base', to: 'gold', currency: 'USD' }),
    ]);
  });

  it('pays the tier’s supply bonus and takes off its borrow discount, day by day', async () => {
    await w.advance({ days: 1 });
    const [btc, usdc] = [await w.history('BTC'), await w.history('USDC')];
    expect(btc.map((d: { date: string }) => d.date)).toEqual(['2026-01-01', '2026-01-02']);
    // Independently: the lane's rate is the market's ± the tier's, and every day compounds.
    const grow = (start: Decimal, rates: Decimal[]) => rates.reduce((v, apr) => v.times(ONE.plus(apr.div(365))), start);
    const supply = (d: { supplyApr: string }) => dec(d.supplyApr);
    const borrow = (d: { borrowApr: string }) => dec(d.borrowApr);
    const goldBtc = grow(ONE, [supply(btc[0]), supply(btc[1]).plus('0.01')]).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    const silverBtc = grow(ONE, [supply(btc[0]), supply(btc[1]).plus('0.005')]).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    const twinBtc = grow(ONE, [supply(btc[0]), supply(btc[1])]).toDecimalPlaces(8, Decimal.ROUND_DOWN);
    const goldDebt = grow(dec(10000), [borrow(usdc[0]), Decimal.max(borrow(usdc[1]).minus('0.05'), 0)]).toDecimalPlaces(6, Decimal.ROUND_UP);
    const twinDebt = grow(dec(10000), [borrow(usdc[0]), borrow(usdc[1])]).toDecimalPlaces(6, Decimal.ROUND_UP);
    const view = async (name: string) => w.account(people[name].apiKey, people[name].accountId);
    const btcOf = (account: { positions: { asset: string; amount: string }[] }) => account.positions.find((p) => p.asset === 'BTC')!.amount;
    const [gold, silver, twin] = [await view('gold'), await view('silver'), await view('twin')];
    expect(btcOf(gold)).toBe(goldBtc.toFixed(8));
    expect(btcOf(silver)).toBe(silverBtc.toFixed(8));
    expect(btcOf(twin)).toBe(twinBtc.toFixed(8));
    expect(dec(btcOf(gold)).gt(btcOf(twin))).toBe(true);
    expect(gold.loans[0].outstanding).toBe(goldDebt.toFixed(6));
    expect(twin.loans[0].outstanding).toBe(twinDebt.toFixed(6));
    expect(gold.loans[0].borrowApr).toBe(Decimal.max(borrow(usdc[1]).minus('0.05'), 0).toFixed());
    // The statement derives the same days from the lanes' history.
    const interest = (await app.api(people.gold.apiKey).get(`/v1/accounts/${people.gold.accountId}/interest`).expect(200)).body;
    const earned = interest.filter((l: { asset: string; kind: string }) => l.asset === 'BTC' && l.kind === 'earned');
    const total = earned.reduce((sum: Decimal, l: { amount: string }) => sum.plus(l.amount), dec(0));
    expect(total.minus(goldBtc.minus(1)).abs().lte('0.00000002')).toBe(true);
    const market = await w.market('USDC');
    expect(market.tiers.map((t: { tier: string }) => t.tier)).toEqual(['base', 'silver', 'gold', 'platinum']);
    expect(market.tiers[2].borrowApr).toBe(Decimal.max(dec(market.borrowApr).minus('0.05'), 0).toFixed());
  });

  it('books what the better rates cost as the platform’s loyalty expense, and the ledger stays balanced', async () => {
    const prisma = app.get(PrismaService);
    const btcDay = await prisma.ledgerTransaction.findFirst({ where: { type: 'interest', description: 'BTC interest for 2026-01-02' } });
    const days = await w.history('BTC');
    // Nobody borrows BTC here, so its own supply rate is zero and 1 BTC was still 1 at 00:00:
    // the day's cost is gold's +1 % and silver's +0.5 % on 1 BTC each, for one day.
    expect(days.map((d: { supplyApr: string }) => d.supplyApr)).toEqual(['0', '0']);
    const expected = dec('0.01').plus('0.005').div(365).toDecimalPlaces(8, Decimal.ROUND_HALF_EVEN);
    expect((btcDay!.metadata as { loyaltyCost: string }).loyaltyCost).toBe(expected.toFixed(8));
    expect((btcDay!.metadata as { supplyInterest: string }).supplyInterest).not.toBe('0.00000000');
    // USDC: gold's discount on 10,000 borrowed is the platform's cost too; with both, the
    // expense account holds the two days' costs and every posting balanced.
    expect((await ledgerBalance(app, 'platform:loyalty_expense', 'BTC')).toFixed(8)).toBe(expected.toFixed(8));
    expect((await ledgerBalance(app, 'platform:loyalty_expense', 'USDC')).gt(0)).toBe(true);
    await w.assertBalanced();
  });

  it('drops the tier at the next 00:00 when the LAB share falls, keeping the value', async () => {
    const before = await w.account(people.gold.apiKey, people.gold.accountId);
    await w.price('LAB', '1'); // 300 / 50,300 = 0.6 %: base
    expect((await w.account(people.gold.apiKey, people.gold.accountId)).tier).toBe('gold'); // until 00:00
    await w.advance({ days: 1 });
    const after = await w.account(people.gold.apiKey, people.gold.accountId);
    expect(after.tier).toBe('base');
    const [btc] = (await w.history('BTC')).slice(2);
    const btcBefore = before.positions.find((p: { asset: string }) => p.asset === 'BTC').amount;
    const grown = dec(btcBefore).times(ONE.plus(dec(btc.supplyApr).plus('0.01').div(365)));
    // The day was gold; the re-scale at its end kept the value to the unit (floor of the exact amount).
    const btcAfter = dec(after.positions.find((p: { asset: string }) => p.asset === 'BTC').amount);
    expect(btcAfter.minus(grown).abs().lte('0.00000001')).toBe(true);
    const kinds = await app.get(PrismaService).$queryRaw<{ kind: string; tier: string }[]>`
      SELECT c.kind, c.tier FROM position_changes c JOIN positions p ON p.id = c.position_id
      WHERE p.account_id = ${people.gold.accountId}::uuid AND p.asset = 'BTC' ORDER BY c.id`;
    expect(kinds).toEqual([
      { kind: 'deposit', tier: 'base' },
      { kind: 'tier', tier: 'gold' },
      { kind: 'tier', tier: 'base' },
    ]);
    for (const p of await lanePrincipals(app)) expect(p.kept).toBe(p.held);
    await w.assertBalanced();
  });
});
