import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { MarketState, marketFromRow } from './market-state.js';

/**
 * Markets rows in and out as MarketState. SQL on purpose: numerics travel as text (no trip
 * through a 20-digit decimal), and `lock` is the row lock every money movement in a market
 * takes first, so accrual and deposits never interleave.
 */
const COLUMNS = Prisma.sql`asset, decimals, base_rate::text, optimal_utilization::text, slope1::text, slope2::text,
  reserve_factor::text, max_ltv::text, margin_call_ltv::text, liquidation_ltv::text, to_char(index_day, 'YYYY-MM-DD') AS index_day,
  supply_index::text, borrow_index::text, day_utilization::text, supply_apr::text, borrow_apr::text,
  total_supply_scaled::text, total_borrow_scaled::text, supply_principal::text, borrow_principal::text`;

@Injectable()
export class MarketsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async lock(tx: Tx, asset: string): Promise<MarketState> {
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets WHERE asset = ${asset} FOR UPDATE`;
    if (rows.length === 0) throw new Error(`market ${asset} does not exist`);
    return marketFromRow(rows[0]);
  }

  /** Locks several markets in one order (by asset code), so two multi-market movements never deadlock. */
  async lockMany(tx: Tx, assets: string[]): Promise<Map<string, MarketState>> {
    const sorted = [...new Set(assets)].sort();
    const locked = new Map<string, MarketState>();
    for (const asset of sorted) locked.set(asset, await this.lock(tx, asset));
    return locked;
  }

  async read(asset: string, tx: Tx = this.prisma): Promise<MarketState | undefined> {
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets WHERE asset = ${asset}`;
    return rows.length ? marketFromRow(rows[0]) : undefined;
  }

  async readAll(tx: Tx = this.prisma): Promise<MarketState[]> {
    const rows = await tx.$queryRaw<Record<string, unknown>[]>`SELECT ${COLUMNS} FROM markets ORDER BY asset`;
    return rows.map(marketFromRow);
  }

  /** Writes back what accrual changes: the day, its rates and indexes. */
  async saveDay(tx: Tx, state: MarketState): Promise<void> {
    await tx.$executeRaw`
      UPDATE markets SET index_day = ${state.indexDay}::date, supply_index = ${state.supplyIndex.toFixed()}::numeric,
        borrow_index = ${state.borrowIndex.toFixed()}::numeric, day_utilization = ${state.dayUtilization.toFixed()}::numeric,
        supply_apr = ${state.supplyApr.toFixed()}::numeric, borrow_apr = ${state.borrowApr.toFixed()}::numeric
      WHERE asset = ${state.asset}`;
  }

  /** Moves the totals kept for accrual; called in the transaction of the movement itself. */
  async addToTotals(
    tx: Tx,
    asset: string,
    delta: { supplyScaled?: string; supplyPrincipal?: string; borrowScaled?: string; borrowPrincipal?: string },
  ): Promise<void> {
    await tx.$executeRaw`
      UPDATE markets SET
        total_supply_scaled = total_supply_scaled + ${delta.supplyScaled ?? '0'}::numeric,
        supply_principal = supply_principal + ${delta.supplyPrincipal ?? '0'}::numeric,
        total_borrow_scaled = total_borrow_scaled + ${delta.borrowScaled ?? '0'}::numeric,
        borrow_principal = borrow_principal + ${delta.borrowPrincipal ?? '0'}::numeric
      WHERE asset = ${asset}`;
  }
}
