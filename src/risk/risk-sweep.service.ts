import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client.js';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { LiveIndexes, MarketState, liveAt } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';
import { TIERS, Tier } from '../markets/tier-lanes.js';
import { addDays } from '../clock/dates.js';
import type { QuietStretch, StretchVerdict } from '../clock/day-start.hooks.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { SettingsService } from '../settings/settings.service.js';
import { FullSearch, LaneFactors, nobodyNewPastLevel } from './sweep-bound.js';
import { SETTLED_ROOM, SettledFactors, settledFactors } from './settled-band.js';
import { FIRM_ROOM, stillFirm } from './settled-drift.js';

const FACTOR_DECIMALS = 12;

/**
 * Finds the accounts a risk review must look at, in one set-based statement (SQL on purpose:
 * a price crash must find thousands of accounts among hundreds of thousands of loans in one
 * pass, not one query per account): every account whose debt is at or past its blended
 * margin-call level (D ≥ Σ vᵢ·mcᵢ, no division) or past the platform's lowest margin-call
 * warning level when that is lower (margin-warnings.ts), and every account last seen in
 * trouble or at a warning level, so that its recovery is recorded too. The figures use live indexes and unrounded amounts; each
 * account's review then decides exactly, under its lock.
 *
 * Most sweeps follow a quiet night (only interest moved) or a small price move: when no holding
 * has been written since the last full search, a bound on how far the lanes' factors moved
 * (sweep-bound.ts) shows whether anyone new can be past a level, and if not, only the accounts
 * past one at that search are valued again (the day's sweep of a 100,000-position world then
 * costs a lookup, not a pass over every borrower). Same answer as a full search, by the bound.
 *
 * Accounts last seen at their margin call that a review would leave as they are (settled-band.ts:
 * still between their margin-call and liquidation levels, by a safe bound) are left out of the
 * answer: after a crash thousands of them would otherwise be reviewed twice a day for nothing.
 * Those settled with room to spare, and those healthy with room to spare below their level
 * (settled-drift.ts: "firm"), are remembered with the factors they were valued at: while the
 * factors have not moved by more than that room, no holding was written and each is still at the
 * status and warning level it was firm at, a narrowed search does not value them again (the
 * 00:00 sweep after a price's: after a crash, every borrower hovering about its margin call).
 */
@Injectable()
export class RiskSweepService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
    private readonly settings: SettingsService,
  ) {}

  /** The last full search this process made while nothing else was writing (see `accountsToReview`). */
  private lastSearch?: FullSearch & { writes: string };
  /**
   * The accounts the last search that valued them found firm (settled-drift.ts), the lanes'
   * factors and top warning level they were valued at, and the holdings' write counter
   * then (used only while it has not moved); set again by every search that values them.
   */
  private firm?: { lanes: (LaneFactors & { settled: SettledFactors })[]; topWarning: string | null; accounts: Firm; writes: string };

  async accountsToReview(): Promise<string[]> {
    // Nobody owes anything and nobody is in trouble (a world of savers, or of repaid loans): one
    // indexed look, not the valuation of every loan.
    const { owed, troubled } = await this.troubleAndDebt(this.prisma);
    if (!owed && !troubled) {
      this.lastSearch = undefined;
      this.firm = undefined;
      return [];
    }
    const [now, markets, prices, settings] = await Promise.all([this.clock.now(), this.markets.readAll(), this.prices.current(), this.settings.get()]);
    const live = new Map(markets.map((m) => [m.asset, liveAt(m, now).lanes]));
    const lanes = laneFactors(markets, (asset, tier) => live.get(asset)![tier], prices, settings.marginCallWarnings);
    // Where a settled account must still be seen against the warning levels: at or above the highest.
    const topWarning = settings.marginCallWarnings.at(-1) ?? null;
    const writes = () => this.prisma.$queryRaw<{ writes: string }[]>`SELECT last_value::text || '/' || is_called::text AS writes FROM holdings_writes`;
    // Every day's sweep after a quiet night (interest only), and a price move too small to
    // matter, need not value every borrower: when no holding has been written since the last
    // full search, the lanes' factors bound how far any LTV can have moved (sweep-bound.ts),
    // and if that cannot bring anyone new to a level, only the accounts past one then can be
    // past one now: those are looked at again, and nobody else. The answer is the full search's.
    const previous = this.lastSearch;
    const top = topWarning?.toFixed() ?? null;
    if (previous && previous.writes === (await writes())[0].writes && nobodyNewPastLevel(previous, lanes)) {
      // The firmly settled accounts of an earlier search, when the factors have not moved them out of their room.
      const firm = this.firm && this.firm.writes === previous.writes && this.firm.topWarning === top && stillFirm(this.firm.lanes, lanes) ? this.firm.accounts : null;
      const found = await this.search(lanes, previous.past, topWarning, firm);
      // A holding written meanwhile may be in what the narrowed search read: search in full.
      if ((await writes())[0].writes === previous.writes) {
        if (firm === null) this.firm = { lanes, topWarning: top, accounts: found.firm, writes: previous.writes };
        return found.accounts;
      }
    }
    const [{ writes: before }] = await writes();
    const found = await this.search(lanes, null, topWarning, null);
    // Remembered only when no transaction was writing as the search began: every write counted
    // up to `before` was then committed and in what it read; any later one moves the counter.
    this.lastSearch = found.quiet ? { lanes: lanes.map(({ settled, ...factors }) => factors), past: found.past, closest: found.closest, writes: before } : undefined;
    this.firm = found.quiet ? { lanes, topWarning: top, accounts: found.firm, writes: before } : undefined;
    return found.accounts;
  }

  /**
   * A quiet stretch's sweeps (clock/quiet-stretch.ts), in its transaction, after its accrual:
   * 'done' when no day's sweep in it would review anyone. Nobody may be in trouble or at a
   * warning level (they are reviewed every day: 'busy'), and nobody may be at or past a level
   * at any of its 00:00s. No holding changes in the stretch (its transaction holds every
   * market), only indexes, so one search with, per lane, the highest borrow index and the
   * lowest supply index among those 00:00s (the history its accrual just wrote) bounds every
   * day's: each account's debt there is at least that day's and its level at most. Someone found
   * by it would be reached somewhere in the stretch: 'shorter'. Prices are read here, in the
   * transaction; one set while it runs lands after the stretch's days, as it could land between
   * two days one at a time, and its own sweep (PUT /v1/prices) looks at everyone.
   */
  async quietStretch(tx: Tx, stretch: QuietStretch): Promise<StretchVerdict> {
    const { owed, troubled } = await this.troubleAndDebt(tx);
    if (troubled) return 'busy';
    if (!owed) return 'done';
    // The sweep of day D values at D's 00:00: the lanes' indexes at the end of the day before.
    const before = (date: string) => addDays(date, -1);
    const extremes = await tx.$queryRaw<{ asset: string; tier: Tier; supply_index: string; borrow_index: string }[]>`
      SELECT asset, tier, min(supply_index)::text AS supply_index, max(borrow_index)::text AS borrow_index
      FROM market_lane_days WHERE date BETWEEN ${before(stretch.days[0].date)}::date AND ${before(stretch.days.at(-1)!.date)}::date
      GROUP BY asset, tier`;
    const [markets, prices, settings] = [await this.markets.readAll(tx), await this.prices.current(tx), await this.settings.get(tx)];
    const extreme = new Map(extremes.map((row) => [`${row.asset}|${row.tier}`, { supplyIndex: dec(row.supply_index), borrowIndex: dec(row.borrow_index) }]));
    // Every lane of every market must have its history over the stretch, or there is no bound.
    if (markets.some((m) => TIERS.some((tier) => !extreme.has(`${m.asset}|${tier}`)))) return 'busy';
    const lanes = laneFactors(markets, (asset, tier) => extreme.get(`${asset}|${tier}`)!, prices, settings.marginCallWarnings);
    const found = await this.search(lanes, null, settings.marginCallWarnings.at(-1) ?? null, null, tx);
    return found.past.length === 0 && found.accounts.length === 0 ? 'done' : 'shorter';
  }

  /** The cheap half of `quietStretch`, before the stretch's accrual: 'busy' when someone is reviewed every day. */
  async nobodyInTrouble(tx: Tx): Promise<StretchVerdict> {
    return (await this.troubleAndDebt(tx)).troubled ? 'busy' : 'done';
  }

  private async troubleAndDebt(tx: Tx): Promise<{ owed: boolean; troubled: boolean }> {
    const [row] = await tx.$queryRaw<{ owed: boolean; troubled: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM loans WHERE scaled_debt > 0) AS owed,
             EXISTS (SELECT 1 FROM account_risk WHERE status <> 'healthy' OR warning_ltv IS NOT NULL) AS troubled`;
    return row;
  }

  /**
   * Every account whose debt is at or past its margin-call level (among `only`, when given) and
   * every account last seen in trouble, less those settled at their margin call (`accounts`;
   * `past` keeps them, for the bound); with, for a full search, the highest debt / level among
   * the other borrowers and whether any transaction that writes was in progress at its snapshot.
   * `firm` (when given): accounts found firm earlier, not valued again while each is still at
   * its margin call at the top warning level (firmly settled) or healthy without a warning
   * (firmly below its level) (the caller has bounded the factors' drift); otherwise the
   * accounts found firm now (`firm` in the answer).
   */
  private async search(
    lanes: (LaneFactors & { settled: SettledFactors })[],
    only: string[] | null,
    topWarning: Decimal | null,
    firm: Firm | null,
    within?: Tx,
  ): Promise<{ accounts: string[]; past: string[]; firm: Firm; closest: Decimal; quiet: boolean }> {
    const column = (f: (s: SettledFactors) => Decimal) => lanes.map((l) => f(l.settled).toFixed());
    const room = SETTLED_ROOM.plus(1).toFixed();
    const firmRoom = FIRM_ROOM.plus(1).toFixed();
    const top = topWarning?.toFixed() ?? null;
    // Hash joins, and room to hash: the planner sees the lanes (unnest, 8 rows) and the debts
    // grouped from them as a few dozen rows, and so probes the positions index once per
    // borrower in a nested loop, sorting aggregates on disk. Measured at 100,000 loans (the
    // liquidation bench's sweep): about half the time with one pass over each table instead.
    // The positions are joined to tables (accounts, loans), not to the debts' CTE: a CTE has no
    // statistics, so the planner hashed every position to probe it with the debts (in the
    // 100,000-position year, half the search's time went into that hash table).
    // Narrowed to `only`: each of loans and positions filtered by it (the array sent twice, not
    // four times: after a crash it holds every borrower, 10,000 ids).
    // The firm accounts left out are those still at the status and warning level they were firm
    // at (`skipped`): another process's review may have moved one since. Those firmly below
    // their level only from a narrowed search: a full one's are all outside the next narrowed
    // searches (they list only those past a level then), and in a 100,000-loan world they are
    // nearly every borrower, an array not worth its reading.
    const ids = (list: string[]) => Prisma.sql`${list}::uuid[]`;
    const onlyLoans = only ? Prisma.sql`AND l.account_id = ANY(${ids(only)})` : Prisma.empty;
    const onlyBorrowers = only ? Prisma.sql`AND account_id = ANY(${ids(only)})` : Prisma.empty;
    const notSkipped = (id: Prisma.Sql) => (firm ? Prisma.sql`AND ${id} NOT IN (SELECT account_id FROM skipped)` : Prisma.empty);
    // In a transaction of its own, or in the caller's (whose later statements then plan alike).
    const run = async (tx: Tx) => {
      await tx.$executeRaw`SET LOCAL enable_nestloop = off`;
      await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
      // The settled test's sums (settled-band.ts) are taken only over accounts last seen at
      // their margin call (FILTER): every other borrower costs what it did.
      // One row back, the accounts as arrays: after a crash the accounts past a level and those
      // last seen in trouble are each every borrower, and reading 18,000 rows through the client
      // cost about as much as the statement itself. `past` only for a full search (the bound's).
      return tx.$queryRaw<{ accounts: string[]; past: string[] | null; settled: string[] | null; healthy: string[] | null; closest: string; quiet: boolean }[]>`
      WITH skipped AS (
        SELECT account_id FROM account_risk
        WHERE account_id = ANY(${ids(firm?.settled ?? [])}) AND status = 'margin_call' AND warning_ltv IS NOT DISTINCT FROM ${top}::numeric
        UNION ALL
        SELECT h.account_id FROM unnest(${ids(firm?.healthy ?? [])}) AS h(account_id)
        WHERE NOT EXISTS (SELECT 1 FROM account_risk r WHERE r.account_id = h.account_id AND (r.status <> 'healthy' OR r.warning_ltv IS NOT NULL))
      ),
      m AS (
        SELECT * FROM unnest(${lanes.map((l) => l.asset)}::text[], ${lanes.map((l) => l.tier)}::text[],
                             ${lanes.map((l) => l.debt.toFixed())}::numeric[], ${lanes.map((l) => l.margin.toFixed())}::numeric[],
                             ${column((f) => f.debtLow)}::numeric[], ${column((f) => f.debtHigh)}::numeric[], ${column((f) => f.debtUnit)}::numeric[],
                             ${column((f) => f.marginHigh)}::numeric[], ${column((f) => f.liquidationLow)}::numeric[],
                             ${column((f) => f.liquidationUnit)}::numeric[], ${column((f) => f.collateralHigh)}::numeric[])
          AS m(asset, tier, debt_factor, margin_factor, debt_low, debt_high, debt_unit, margin_high, liquidation_low, liquidation_unit, collateral_high)
      ),
      debt AS (
        SELECT l.account_id, a.tier, r.status = 'margin_call' AS called, r.warning_ltv,
               coalesce(r.status, 'healthy') = 'healthy' AND r.warning_ltv IS NULL AS calm, sum(l.scaled_debt * m.debt_factor) AS value,
               sum(l.scaled_debt * m.debt_low) FILTER (WHERE r.status = 'margin_call') AS low,
               sum(l.scaled_debt * m.debt_high + m.debt_unit) FILTER (WHERE r.status = 'margin_call') AS high
        FROM loans l JOIN accounts a ON a.id = l.account_id JOIN m ON m.asset = l.asset AND m.tier = a.tier
        LEFT JOIN account_risk r ON r.account_id = l.account_id
        WHERE l.scaled_debt > 0 ${onlyLoans} ${notSkipped(Prisma.sql`l.account_id`)}
        GROUP BY l.account_id, a.tier, r.status, r.warning_ltv
      ),
      margin AS (
        SELECT p.account_id, sum(p.scaled * m.margin_factor) AS value,
               sum(p.scaled * m.margin_high) FILTER (WHERE r.status = 'margin_call') AS margin_high,
               sum(p.scaled * m.liquidation_low - m.liquidation_unit) FILTER (WHERE r.status = 'margin_call') AS liquidation_low,
               sum(p.scaled * m.collateral_high) FILTER (WHERE r.status = 'margin_call') AS collateral_high,
               sum(m.liquidation_unit) FILTER (WHERE r.status = 'margin_call') AS units
        FROM positions p JOIN accounts a ON a.id = p.account_id JOIN m ON m.asset = p.asset AND m.tier = a.tier
        LEFT JOIN account_risk r ON r.account_id = p.account_id
        WHERE p.scaled > 0
          AND p.account_id IN (SELECT account_id FROM loans WHERE scaled_debt > 0 ${onlyBorrowers} ${notSkipped(Prisma.sql`account_id`)})
        GROUP BY p.account_id
      ),
      level AS (
        SELECT debt.account_id, debt.value, coalesce(margin.value, 0) AS margin,
               (debt.called AND debt.low >= margin.margin_high * ${room}::numeric AND debt.high * ${room}::numeric < margin.liquidation_low
                AND (CASE WHEN ${top}::numeric IS NULL THEN debt.warning_ltv IS NULL
                          ELSE debt.warning_ltv = ${top}::numeric
                               AND debt.low >= margin.collateral_high * ${top}::numeric * ${room}::numeric END)) IS TRUE AS settled,
               -- Firmly settled: each comparison of the settled test with its lower side moved up by FIRM_ROOM (settled-drift.ts).
               (debt.low >= margin.margin_high * ${room}::numeric * ${firmRoom}::numeric
                AND (debt.high * ${room}::numeric + margin.units) * ${firmRoom}::numeric < margin.liquidation_low + margin.units
                AND (${top}::numeric IS NULL OR debt.low >= margin.collateral_high * ${top}::numeric * ${room}::numeric * ${firmRoom}::numeric)) IS TRUE AS firm,
               -- Firmly below its level: healthy, no warning, and its debt times 1 + FIRM_ROOM still short of the level.
               (debt.calm AND debt.value * ${firmRoom}::numeric < coalesce(margin.value, 0)) IS TRUE AS firmly_below
        FROM debt LEFT JOIN margin ON margin.account_id = debt.account_id
      ),
      found AS (
        SELECT account_id, true AS past, settled FROM level WHERE value >= margin
        UNION ALL
        SELECT r.account_id, false, coalesce(level.settled, r.account_id IN (SELECT account_id FROM skipped))
        FROM account_risk r LEFT JOIN level ON level.account_id = r.account_id WHERE r.status <> 'healthy' OR r.warning_ltv IS NOT NULL
      )
      SELECT coalesce((SELECT array_agg(DISTINCT account_id::text) FROM found WHERE NOT settled), '{}') AS accounts,
             CASE WHEN ${only === null} THEN coalesce((SELECT array_agg(account_id::text) FROM found WHERE past), '{}') END AS past,
             CASE WHEN ${firm === null} THEN coalesce((SELECT array_agg(account_id::text) FROM level WHERE settled AND firm), '{}') END AS settled,
             CASE WHEN ${firm === null && only !== null} THEN coalesce((SELECT array_agg(account_id::text) FROM level WHERE firmly_below), '{}') END AS healthy,
             (SELECT coalesce(max(value / margin), 0)::text FROM level WHERE value < margin) AS closest,
             NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot())) AS quiet`;
    };
    const [row] = within ? await run(within) : await this.prisma.$transaction(run);
    return { accounts: [...row.accounts].sort(), past: row.past ?? [], firm: { settled: row.settled ?? [], healthy: row.healthy ?? [] }, closest: dec(row.closest), quiet: row.quiet };
  }
}

/** Accounts found firm (settled-drift.ts): firmly settled at their margin call, and firmly below their level. */
interface Firm {
  settled: string[];
  healthy: string[];
}

/**
 * Per lane of every priced market, one factor for each side of the search, so that each row
 * costs one multiplication: the debt's (borrow index × price) rounded up and the margin's
 * (supply index × price × the lowest level anything is sent at: the margin call, or a lower
 * warning level) rounded down to 12 decimals, so the filter can only let more accounts
 * through, never fewer. A change of warning levels moves the margin factors, which the bound
 * (sweep-bound.ts) compares.
 */
function laneFactors(
  markets: MarketState[],
  indexes: (asset: string, tier: Tier) => LiveIndexes,
  prices: Map<string, Decimal>,
  warnings: Decimal[],
): (LaneFactors & { settled: SettledFactors })[] {
  const firstWarning = warnings[0];
  const reviewFrom = (marginCallLtv: Decimal) => (firstWarning?.lt(marginCallLtv) ? firstWarning : marginCallLtv);
  return markets
    .filter((m) => prices.has(m.asset))
    .flatMap((m) => {
      const price = prices.get(m.asset)!;
      return TIERS.map((tier) => {
        const lane = indexes(m.asset, tier);
        return {
          asset: m.asset,
          tier,
          debt: lane.borrowIndex.times(price).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_UP),
          margin: lane.supplyIndex.times(price).times(reviewFrom(m.risk.marginCallLtv)).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_DOWN),
          settled: settledFactors(m, tier, lane, price),
        };
      });
    });
}
