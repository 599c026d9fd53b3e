import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { Decimal } from '../common/money/decimal.js';
import { addDays, dayStart } from '../clock/dates.js';
import { checkDateRange } from '../clock/date-range.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { laneIndexesAtDayStarts } from '../markets/day-starts.js';
import { Tier, isTier } from '../markets/tier-lanes.js';
import { PricesService } from '../prices/prices.service.js';
import { AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { holdingsAtDayStarts } from '../holdings/holdings-at-day-starts.js';
import { AccountView, valuationView } from './portfolio.service.js';

/** The longest range one request may ask for (ten years and a leap day or two). */
export const MAX_HISTORY_DAYS = 3660;

export type AccountDayView = Pick<AccountView, 'tier' | 'collateralValue' | 'debtValue' | 'ltv' | 'maxLtv' | 'marginCallLtv' | 'liquidationLtv' | 'status'> & {
  date: string;
  at: string;
  positions: { asset: string; amount: string }[];
  loans: { id: string; asset: string; outstanding: string }[];
};

/**
 * An account day by day: for each day, the account as GET /v1/accounts/:id showed it at 00:00
 * UTC of that day once that instant's work was done (the close, tier changes, the risk sweep),
 * rebuilt from what is stored over time and valued by the same code as the account view
 * (AccountSnapshotService.holding, valuation.ts):
 * - holdings: each position's and loan's scaled amount and lane at that instant (their change
 *   history), at the lane's indexes of that instant (the previous day's end, market_lane_days);
 * - prices: the oracle's as of that instant (price_points);
 * - tier: the `to` of the account's last tier_change notice at or before that instant (the
 *   `from` of the first one after it, or the current tier when it never changed);
 * - taken as current: each market's risk levels and decimals (levels change only by an admin's
 *   PUT /v1/markets; a scenario changes them only by its own steps).
 * A day is listed when its 00:00 has passed with the previous day accrued in every market the
 * account then held, and the account existed then.
 */
@Injectable()
export class AccountHistoryService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async history(accountId: string, from: string | undefined, to: string | undefined): Promise<AccountDayView[]> {
    checkDateRange(from, to, { required: true, maxDays: MAX_HISTORY_DAYS });
    const range = { from: from!, to: to! };
    // One read after another in one read-only snapshot: every read sees the same closes, and
    // they share one pooled connection (run side by side, each read took a connection of its
    // own, and a connection new to Postgres cost it more than the reads themselves; measured: a
    // scenario's four history reads of a year, 290 ms of Postgres CPU side by side, 70–130 ms
    // in turn).
    const { account, notices, markets, holdings, prices, lanes } = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY`;
      const account = await tx.$queryRaw<{ tier: string; created_at: Date }[]>`SELECT tier, created_at FROM accounts WHERE id = ${accountId}::uuid`;
      const notices = await tx.$queryRaw<{ at: Date; from: string; to: string }[]>`
        SELECT at, data->>'from' AS "from", data->>'to' AS "to" FROM notifications
        WHERE account_id = ${accountId}::uuid AND type = 'tier_change' ORDER BY at, id`;
      const markets = await this.markets.readAll(tx);
      const holdings = await holdingsAtDayStarts(tx, accountId, range.from, range.to);
      // Prices and lanes of the markets the account held on some day of the range, and no others.
      const held = [...new Set([...holdings.positions.values(), ...holdings.loans.values()].flat().map((h) => h.asset))].sort();
      const prices = await this.prices.atDayStarts(range.from, range.to, tx, held);
      const lanes = await laneIndexesAtDayStarts(tx, range.from, range.to, held);
      return { account, notices, markets, holdings, prices, lanes };
    });
    const marketOf = new Map(markets.map((m) => [m.asset, m]));
    const rows: AccountDayView[] = [];
    for (let day = range.from; day <= range.to; day = addDays(day, 1)) {
      const at = dayStart(day);
      const indexes = lanes.get(day);
      if (!indexes || !account[0] || account[0].created_at > at) continue;
      const positions = holdings.positions.get(day) ?? [];
      const loans = holdings.loans.get(day) ?? [];
      if (![...positions, ...loans].every((h) => indexes.has(h.asset))) continue;
      const tier = tierAt(at, notices, account[0].tier);
      const snapshot = this.snapshots.holding(
        {
          accountId,
          tier,
          now: at,
          // Every holding in the lane of the account's tier, as the account view values it.
          lane: (asset) => indexes.get(asset)![tier],
          prices: prices.get(day) ?? new Map<string, Decimal>(),
          markets: marketOf,
          live: new Map(),
          positions: [],
          loans: [],
        },
        positions,
        loans,
      );
      const decimalsOf = (asset: string) => marketOf.get(asset)!.decimals;
      rows.push({
        date: day,
        at: at.toISOString(),
        tier,
        positions: snapshot.positions.map((p) => ({ asset: p.asset, amount: p.amount.toFixed(decimalsOf(p.asset)) })),
        loans: snapshot.loans.map((l) => ({ id: l.id, asset: l.asset, outstanding: l.outstanding.toFixed(decimalsOf(l.asset)) })),
        ...valuationView(snapshot.valuation),
      });
    }
    return rows;
  }
}

/** The account's tier at an instant, from its tier_change notices (oldest first). */
function tierAt(at: Date, notices: { at: Date; from: string; to: string }[], current: string): Tier {
  const last = notices.filter((n) => n.at <= at).at(-1);
  const tier = last ? last.to : (notices[0]?.from ?? current);
  return isTier(tier) ? tier : 'base';
}
