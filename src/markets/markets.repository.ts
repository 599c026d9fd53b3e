import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClosedDay, LaneDay, MarketState, marketFromRow } from './market-state.js';
import { TIERS, Tier } from './tier-lanes.js';
import { Decimal, ZERO } from '../common/money/decimal.js';
import { dayStart, utcDateString } from '../clock/dates.js';
import { arrayText } from '../common/sql/sql-call.js';

/**
 * Markets rows in and out as MarketState. SQL on purpose: numerics travel as text (no trip
 * through a 20-digit decimal), and `lock` is the market's exclusive lock (market_lock: its
 * advisory lock, then its row, see the market_advisory_lock migration): the fast movements hold
 * the advisory lock shared, so accrual and deposits never interleave.
 */
const COLUMNS = Prisma.sql`asset, decimals, base_rate::text, optimal_utilization::text, slope1::text, slope2::text,
  reserve_factor::text, max_ltv::text, margin_call_ltv::text, liquidation_ltv::text, to_char(index_day, 'YYYY-MM-DD') AS index_day,
  day_utilization::text, supply_apr::text, borrow_apr::text,
  (SELECT jsonb_object_agg(l.tier, jsonb_build_object('supply_index', l.supply_index::text, 'borrow_index', l.borrow_index::text,
            'total_supply_scaled', l.total_supply_scaled::text, 'total_borrow_scaled', l.total_borrow_scaled::text,
            'supply_scaled_ms', l.supply_scaled_ms::text, 'borrow_scaled_ms', l.borrow_scaled_ms::text,
            'supply_principal', l.supply_principal::text, 'borrow_principal', l.borrow_principal::text))
   FROM market_lanes l WHERE l.asset = markets.asset) AS lanes`;

/** A market's closed day as accrual booked it: what `saveClosedDays` writes. */
export interface ClosedDayWrite {
  closed: ClosedDay;
  supplyInterest: Decimal;
  borrowInterest: Decimal;
  /** 00:00 of the new day: when the day's interest was booked. */
  at: Date;
}

/** The market's base lane of a closed day: its indexes are the market's own (api-contract). */
function baseLane(closed: ClosedDay): LaneDay {
  return closed.lanes.find((lane) => lane.tier === 'base')!;
}

/** A movement's change to a market's sums: scaled amounts and principal move in the lane of the account's tier. */
export interface TotalsMove {
  asset: string;
  tier: Tier;
  supplyScaled?: Decimal;
  supplyPrincipal?: Decimal;
  borrowScaled?: Decimal;
  borrowPrincipal?: Decimal;
}

/** A lane's share of the moves: what addToTotals adds to one market_lanes row. */
interface LaneMove {
  asset: string;
  tier: Tier;
  supply: Decimal;
  supplyPrincipal: Decimal;
  borrow: Decimal;
  borrowPrincipal: Decimal;
}

@Injectable()
export class MarketsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Two statements on purpose: a statement that waits for a lock sees the row as its holder
   * committed it, but its subqueries (the lanes) as they were when it began. Locking first and
   * reading after gives a read that starts once the lock is ours: every lane current.
   */
  async lock(tx: Tx, asset: string): Promise<MarketState> {
    const locked = await tx.$queryRaw<{ asset: string }[]>`SELECT asset FROM market_lock(ARRAY[${asset}]::text[])`;
    if (locked.length === 0) throw new Error(`market ${asset} does not exist`);
    return (await this.read(asset, tx))!;
  }

  /** Locks several markets in one order (by asset code), so two multi-market movements never deadlock. */
  async lockMany(tx: Tx, assets: string[]): Promise<Map<string, MarketState>> {
    return new Map((await this.lockAll(tx, assets)).map((market) => [market.asset, market]));
  }

  /**
   * `lockMany` in two statements whatever the number of markets (the day's close locks them
   * all): market_lock locks them in the order of their codes, then they are read once every
   * lock is ours, as in `lock`.
   */
  async lockAll(tx: Tx, assets: string[]): Promise<MarketState[]> {
    const sorted = [...new Set(assets)].sort();
    const locked = await tx.$queryRaw<{ asset: string }[]>`SELECT asset FROM market_lock(${sorted}::text[])`;
    if (locked.length !== sorted.length) throw new Error(`markets ${sorted.filter((a) => !locked.some((l) => l.asset === a)).join(', ')} do not exist`);
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets WHERE asset = ANY(${sorted}::text[]) ORDER BY asset`;
    return rows.map(marketFromRow);
  }

  async read(asset: string, tx: Tx = this.prisma): Promise<MarketState | undefined> {
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets WHERE asset = ${asset}`;
    return rows.length ? marketFromRow(rows[0]) : undefined;
  }

  async readAll(tx: Tx = this.prisma): Promise<MarketState[]> {
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets ORDER BY asset`;
    return rows.map(marketFromRow);
  }

  /**
   * Writes back what a day's close changes, for any number of markets in one statement (SQL on
   * purpose: it runs at every 00:00, and each round trip cost as much as the work), several days
   * of a market too, in order: the closed days' history (a market_days row per market, whose key refuses a second close of a day, and
   * a market_lane_days row per lane), then each market's new day, its rates, and every lane's
   * indexes (a new day weighs no movement yet). Each column goes as one array in Postgres's text
   * form (arrayText): a quiet stretch of a year writes 11,000 rows at once.
   */
  async saveClosedDays(tx: Tx, days: ClosedDayWrite[]): Promise<void> {
    if (days.length === 0) return;
    const lanes = days.flatMap((d) => d.closed.lanes.map((lane) => ({ asset: d.closed.next.asset, date: d.closed.date, lane })));
    // Days are given in order; a market that closed several (a quiet stretch) ends on its last.
    const states = [...new Map(days.map((d) => [d.closed.next.asset, d.closed.next])).values()];
    const nextLanes = states.flatMap((state) => TIERS.map((tier) => ({ asset: state.asset, tier, lane: state.lanes[tier] })));
    await tx.$executeRaw`
      WITH history AS (
        INSERT INTO market_days (asset, date, utilization, borrow_apr, supply_apr, supply_index, borrow_index,
                                 supply_interest, borrow_interest, accrued_at)
        SELECT * FROM unnest(${arrayText(days.map((d) => d.closed.next.asset))}::text[], ${arrayText(days.map((d) => d.closed.date))}::date[],
          ${arrayText(days.map((d) => d.closed.utilization.toFixed()))}::numeric[], ${arrayText(days.map((d) => d.closed.borrowApr.toFixed()))}::numeric[],
          ${arrayText(days.map((d) => d.closed.supplyApr.toFixed()))}::numeric[], ${arrayText(days.map((d) => baseLane(d.closed).supplyIndexEnd.toFixed()))}::numeric[],
          ${arrayText(days.map((d) => baseLane(d.closed).borrowIndexEnd.toFixed()))}::numeric[], ${arrayText(days.map((d) => d.supplyInterest.toFixed()))}::numeric[],
          ${arrayText(days.map((d) => d.borrowInterest.toFixed()))}::numeric[], ${arrayText(days.map((d) => d.at))}::timestamptz[])
      ), lane_history AS (
        INSERT INTO market_lane_days (asset, date, tier, supply_apr, borrow_apr, supply_index, borrow_index)
        SELECT * FROM unnest(
          ${arrayText(lanes.map((l) => l.asset))}::text[], ${arrayText(lanes.map((l) => l.date))}::date[], ${arrayText(lanes.map((l) => l.lane.tier))}::text[],
          ${arrayText(lanes.map((l) => l.lane.supplyApr.toFixed()))}::numeric[], ${arrayText(lanes.map((l) => l.lane.borrowApr.toFixed()))}::numeric[],
          ${arrayText(lanes.map((l) => l.lane.supplyIndexEnd.toFixed()))}::numeric[], ${arrayText(lanes.map((l) => l.lane.borrowIndexEnd.toFixed()))}::numeric[])
      ), new_days AS (
        UPDATE markets m SET index_day = v.index_day, day_utilization = v.day_utilization, supply_apr = v.supply_apr, borrow_apr = v.borrow_apr
        FROM unnest(${arrayText(states.map((s) => s.asset))}::text[], ${arrayText(states.map((s) => s.indexDay))}::date[],
                    ${arrayText(states.map((s) => s.dayUtilization.toFixed()))}::numeric[], ${arrayText(states.map((s) => s.supplyApr.toFixed()))}::numeric[],
                    ${arrayText(states.map((s) => s.borrowApr.toFixed()))}::numeric[]) AS v(asset, index_day, day_utilization, supply_apr, borrow_apr)
        WHERE m.asset = v.asset
      )
      UPDATE market_lanes l SET supply_index = v.supply_index, borrow_index = v.borrow_index, supply_scaled_ms = 0, borrow_scaled_ms = 0
      FROM unnest(${arrayText(nextLanes.map((l) => l.asset))}::text[], ${arrayText(nextLanes.map((l) => l.tier))}::text[],
                  ${arrayText(nextLanes.map((l) => l.lane.supplyIndex.toFixed()))}::numeric[],
                  ${arrayText(nextLanes.map((l) => l.lane.borrowIndex.toFixed()))}::numeric[]) AS v(asset, tier, supply_index, borrow_index)
      WHERE l.asset = v.asset AND l.tier = v.tier`;
  }

  /**
   * Moves the sums kept for accrual, in the transaction of the movements themselves, which hold
   * their markets' locks (so their markets are on `at`'s day): any number of moves, summed per
   * lane, in one statement (a batch of liquidations or a day's tier changes moves thousands).
   * Each lane also weighs its scaled change by the time of day it happens at. A market's
   * principal totals are its lanes' sums (marketFromRow).
   */
  async addToTotals(tx: Tx, at: Date, moves: TotalsMove[]): Promise<void> {
    const msIntoDay = at.getTime() - dayStart(utcDateString(at)).getTime();
    const lanes = new Map<string, LaneMove>();
    for (const move of moves) {
      const key = `${move.asset}|${move.tier}`;
      const l = lanes.get(key) ?? { asset: move.asset, tier: move.tier, supply: ZERO, supplyPrincipal: ZERO, borrow: ZERO, borrowPrincipal: ZERO };
      lanes.set(key, {
        ...l,
        supply: l.supply.plus(move.supplyScaled ?? ZERO),
        supplyPrincipal: l.supplyPrincipal.plus(move.supplyPrincipal ?? ZERO),
        borrow: l.borrow.plus(move.borrowScaled ?? ZERO),
        borrowPrincipal: l.borrowPrincipal.plus(move.borrowPrincipal ?? ZERO),
      });
    }
    const l = [...lanes.values()].filter((v) => [v.supply, v.supplyPrincipal, v.borrow, v.borrowPrincipal].some((sum) => !sum.isZero()));
    if (l.length === 0) return;
    const numerics = (pick: (v: LaneMove) => Decimal) => l.map((v) => pick(v).toFixed());
    await tx.$executeRaw`
      UPDATE market_lanes m SET total_supply_scaled = m.total_supply_scaled + v.supply, total_borrow_scaled = m.total_borrow_scaled + v.borrow,
        supply_scaled_ms = m.supply_scaled_ms + v.supply * ${msIntoDay}, borrow_scaled_ms = m.borrow_scaled_ms + v.borrow * ${msIntoDay},
        supply_principal = m.supply_principal + v.supply_principal, borrow_principal = m.borrow_principal + v.borrow_principal
      FROM unnest(${l.map((v) => v.asset)}::text[], ${l.map((v) => v.tier)}::text[], ${numerics((v) => v.supply)}::numeric[],
                  ${numerics((v) => v.borrow)}::numeric[], ${numerics((v) => v.supplyPrincipal)}::numeric[],
                  ${numerics((v) => v.borrowPrincipal)}::numeric[]) AS v(asset, tier, supply, borrow, supply_principal, borrow_principal)
      WHERE m.asset = v.asset AND m.tier = v.tier`;
  }
}
