import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { DayStart, DayStartHooks, QuietStretch, StretchVerdict } from '../clock/day-start.hooks.js';
import { utcDateString } from '../clock/dates.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { MarketsRepository, TotalsMove } from '../markets/markets.repository.js';
import { LiveMarket, liveAt } from '../markets/market-state.js';
import { scaledDebt, scaledSupply } from '../markets/index-math.js';
import { HoldingWrite, writeHoldings } from '../holdings/holding-rows.js';
import { PricesService } from '../prices/prices.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { LOYALTY_TOKEN, tierFor } from './tiers.js';
import { TIERS, Tier, isTier } from '../markets/tier-lanes.js';

interface Holding {
  id: string;
  account_id: string;
  asset: string;
  scaled: string;
  principal: string;
}

interface TierChange {
  accountId: string;
  from: Tier;
  to: Tier;
  collateralValue: Decimal;
  loyaltyTokenValue: Decimal;
}

const MARK = 'loyalty-tiers';

/**
 * Sets every account's tier for the day at 00:00, after accrual (the day's indexes) and before
 * the risk sweep. An account that changes tier moves its positions and loans to the new lane:
 * each is re-scaled at the two lanes' live indexes, so its value does not move (positions
 * round up at the 30th decimal, debts down, as when they were opened), and the lanes' sums move
 * with them.
 *
 * Once per day, on any number of processes: the day's mark is read under its row lock and
 * written in the same transaction as the changes.
 *
 * With the platform's loyalty tiers off (settings.loyaltyTiers false), every account's tier is
 * base: an account already in a tier goes back to base at the next 00:00 assignment, through
 * the same re-scaling and with a tier_change notice, and nobody leaves base until they are on.
 */
@Injectable()
export class LoyaltyService implements OnModuleInit {
  private readonly logger = new Logger('loyalty');

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly hooks: DayStartHooks,
    private readonly accrual: AccrualService,
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
    private readonly notifications: NotificationsService,
    private readonly settings: SettingsService,
  ) {}

  onModuleInit(): void {
    this.hooks.register({
      step: 'loyalty tiers',
      run: (day) => this.assignTiers(day),
      // Nobody can change tier in a quiet stretch (clock/quiet-stretch.ts) when nobody can now:
      // the rule moves only holders of the token and accounts above base, and no holding changes
      // while the stretch's transaction holds every market (its accrual locks them, before `run`).
      quietStretch: { before: (tx, stretch) => this.quietStretch(tx, stretch), run: (tx, stretch) => this.quietStretch(tx, stretch) },
    });
  }

  private async quietStretch(tx: Tx, stretch: QuietStretch): Promise<StretchVerdict> {
    return (await this.nobodyCanChangeTier(stretch.days.at(-1)!, tx)) ? 'done' : 'busy';
  }

  async assignTiers(day: DayStart): Promise<TierChange[]> {
    if (await this.nobodyCanChangeTier(day)) return [];
    // Tiers are valued and re-scaled at the clock's time, on markets closed up to it: a
    // day-start run late (a real-time catch-up) must not move money between lanes on days that
    // are closed afterwards with the old sums.
    await this.accrual.bringAllMarketsTo(utcDateString(await this.clock.now()));
    return this.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO sweep_marks (name, through) VALUES (${MARK}, '1970-01-01T00:00:00Z') ON CONFLICT (name) DO NOTHING`;
        const [mark] = await tx.$queryRaw<{ through: Date }[]>`SELECT through FROM sweep_marks WHERE name = ${MARK} FOR UPDATE`;
        if (mark.through.getTime() >= day.at.getTime()) return [];
        const changes = await this.reassign(tx);
        await tx.$executeRaw`UPDATE sweep_marks SET through = ${day.at} WHERE name = ${MARK}`;
        if (changes.length) this.logger.log(`${day.date}: ${changes.length} account(s) changed tier`);
        return changes;
      },
      { timeout: 600_000 },
    );
  }

  /**
   * Whether no account can change tier: the rule only ever moves the holders of the loyalty
   * token and the accounts above base (see `valueAccounts`' candidates), whatever the values
   * and the platform's settings, so when there are none the day's assignment is done, and its
   * mark moves, in this one statement, with no transaction and nothing else read (SQL on
   * purpose: most days of most worlds, at every 00:00). Both sets are found by their indexes.
   */
  private async nobodyCanChangeTier(day: DayStart, tx: Tx = this.prisma): Promise<boolean> {
    const [{ idle }] = await tx.$queryRaw<{ idle: boolean }[]>`
      WITH idle AS (
        SELECT NOT (EXISTS (SELECT 1 FROM positions WHERE asset = ${LOYALTY_TOKEN} AND scaled > 0)
                    OR EXISTS (SELECT 1 FROM accounts WHERE tier <> 'base')) AS idle
      ), moved AS (
        UPDATE sweep_marks SET through = GREATEST(through, ${day.at}) WHERE name = ${MARK} AND (SELECT idle FROM idle)
      )
      SELECT idle FROM idle`;
    return idle;
  }

  private async reassign(tx: Tx): Promise<TierChange[]> {
    const now = await this.clock.now();
    const tiersOn = (await this.settings.get(tx)).loyaltyTiers;
    const candidates = await this.candidates(tx, now, tiersOn);
    if (candidates.length === 0) return [];
    // Lock order as everywhere: accounts (by id), then markets, then their rows.
    await tx.$queryRaw`SELECT id FROM accounts WHERE id = ANY(${candidates}::uuid[]) ORDER BY id FOR UPDATE`;
    const locked = await this.markets.lockMany(tx, (await this.markets.readAll(tx)).map((m) => m.asset));
    const live = new Map([...locked].map(([asset, market]) => [asset, liveAt(market, now)]));
    const changes = await this.decide(tx, candidates, live, tiersOn);
    if (changes.length === 0) return [];
    const tierOf = new Map(changes.map((c) => [c.accountId, c]));
    const ids = changes.map((c) => c.accountId);
    const positions = await tx.$queryRaw<Holding[]>`
      SELECT id, account_id, asset, scaled::text, principal::text FROM positions WHERE account_id = ANY(${ids}::uuid[]) AND (scaled > 0 OR principal > 0) FOR UPDATE`;
    const loans = await tx.$queryRaw<Holding[]>`
      SELECT id, account_id, asset, scaled_debt::text AS scaled, principal::text FROM loans WHERE account_id = ANY(${ids}::uuid[]) AND (scaled_debt > 0 OR principal > 0) FOR UPDATE`;
    const moves: TotalsMove[] = [];
    // Every holding with a scaled amount is re-scaled into its new lane; one with principal left
    // and nothing scaled (none should exist) only moves its principal, and records no change.
    const rescale = (rows: Holding[], side: 'supply' | 'borrow'): HoldingWrite[] =>
      rows.flatMap((row): HoldingWrite[] => {
        const change = tierOf.get(row.account_id)!;
        const lanes = live.get(row.asset)!.lanes;
        const scaled = dec(row.scaled);
        const exact = scaled.times(side === 'supply' ? lanes[change.from].supplyIndex : lanes[change.from].borrowIndex);
        const next = side === 'supply' ? scaledSupply(exact, lanes[change.to].supplyIndex) : scaledDebt(exact, lanes[change.to].borrowIndex);
        // The holding's principal moves with it: a lane's principal is its holdings' (markets.repository).
        const [field, principalField] = side === 'supply' ? (['supplyScaled', 'supplyPrincipal'] as const) : (['borrowScaled', 'borrowPrincipal'] as const);
        const principal = dec(row.principal);
        moves.push(
          { asset: row.asset, tier: change.from, [field]: scaled.negated(), [principalField]: principal.negated() },
          { asset: row.asset, tier: change.to, [field]: next, [principalField]: principal },
        );
        return scaled.isZero() ? [] : [{ id: row.id, scaledAfter: next, kind: 'tier', tier: change.to }];
      });
    await writeHoldings(tx, 'position', rescale(positions, 'supply'), now);
    await writeHoldings(tx, 'loan', rescale(loans, 'borrow'), now);
    await this.markets.addToTotals(tx, now, moves);
    await tx.$executeRaw`
      UPDATE accounts a SET tier = v.tier FROM unnest(${ids}::uuid[], ${changes.map((c) => c.to)}::text[]) AS v(id, tier) WHERE a.id = v.id`;
    await this.notifications.notifyMany(
      tx,
      changes.map((change) => ({
        accountId: change.accountId,
        type: 'tier_change',
        at: now,
        data: {
          from: change.from,
          to: change.to,
          collateralValue: change.collateralValue.toFixed(2),
          loyaltyTokenValue: change.loyaltyTokenValue.toFixed(2),
          currency: 'USD',
        },
      })),
    );
    return changes;
  }

  /**
   * The accounts whose tier may change: those holding the loyalty token, and those above base.
   * SQL on purpose (one pass over the token's holders, not over every position); the lanes'
   * live indexes come in as arrays. The rule itself is applied by `decide`, under the locks.
   */
  private async candidates(tx: Tx, now: Date, tiersOn: boolean): Promise<string[]> {
    const markets = await this.markets.readAll(tx);
    const live = new Map(markets.map((m) => [m.asset, liveAt(m, now)]));
    const rows = await this.valueAccounts(tx, live, null);
    return rows.filter((row) => tierOfRow(row, tiersOn) !== row.tier).map((row) => row.account_id);
  }

  private async decide(tx: Tx, accountIds: string[], live: Map<string, LiveMarket>, tiersOn: boolean): Promise<TierChange[]> {
    const rows = await this.valueAccounts(tx, live, accountIds);
    return rows
      .map((row) => ({
        accountId: row.account_id,
        from: isTier(row.tier) ? row.tier : 'base',
        to: tierOfRow(row, tiersOn),
        collateralValue: dec(row.total),
        loyaltyTokenValue: dec(row.token),
      }))
      .filter((change) => change.from !== change.to)
      .sort((a, b) => a.accountId.localeCompare(b.accountId));
  }

  /** Each account's collateral value and loyalty-token value (USD, unrounded) in its own lane. */
  private async valueAccounts(tx: Tx, live: Map<string, LiveMarket>, only: string[] | null) {
    const prices = await this.prices.current(tx);
    const lanes = [...live].flatMap(([asset, market]) =>
      prices.has(asset) ? TIERS.map((tier) => ({ asset, tier, index: market.lanes[tier].supplyIndex, price: prices.get(asset)! })) : [],
    );
    return tx.$queryRaw<{ account_id: string; tier: string; total: string; token: string }[]>`
      WITH m AS (
        SELECT * FROM unnest(${lanes.map((l) => l.asset)}::text[], ${lanes.map((l) => l.tier)}::text[],
                             ${lanes.map((l) => l.index.toFixed())}::numeric[], ${lanes.map((l) => l.price.toFixed())}::numeric[])
          AS m(asset, tier, supply_index, price)
      ),
      candidate AS (
        SELECT id FROM accounts WHERE ${only}::uuid[] IS NOT NULL AND id = ANY(${only}::uuid[])
        UNION SELECT account_id FROM positions WHERE ${only}::uuid[] IS NULL AND asset = ${LOYALTY_TOKEN} AND scaled > 0
        UNION SELECT id FROM accounts WHERE ${only}::uuid[] IS NULL AND tier <> 'base'
      )
      SELECT a.id AS account_id, a.tier,
             coalesce(sum(p.scaled * m.supply_index * m.price), 0)::text AS total,
             coalesce(sum(p.scaled * m.supply_index * m.price) FILTER (WHERE p.asset = ${LOYALTY_TOKEN}), 0)::text AS token
      FROM candidate c JOIN accounts a ON a.id = c.id
      LEFT JOIN positions p ON p.account_id = a.id AND p.scaled > 0
      LEFT JOIN m ON m.asset = p.asset AND m.tier = a.tier
      GROUP BY a.id, a.tier ORDER BY a.id`;
  }
}

/** An account's tier from its values, or base for everyone while the platform's tiers are off (settings.loyaltyTiers). */
function tierOfRow(row: { total: string; token: string }, tiersOn: boolean): Tier {
  return tiersOn ? tierFor(dec(row.token), dec(row.total)) : 'base';
}
