import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';
import { TIERS } from '../markets/tier-lanes.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { SettingsService } from '../settings/settings.service.js';
import { FullSearch, LaneFactors, nobodyNewPastLevel } from './sweep-bound.js';

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

  async accountsToReview(): Promise<string[]> {
    // Nobody owes anything and nobody is in trouble (a world of savers, or of repaid loans): one
    // indexed look, not the valuation of every loan.
    const [{ any }] = await this.prisma.$queryRaw<{ any: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM loans WHERE scaled_debt > 0)
          OR EXISTS (SELECT 1 FROM account_risk WHERE status <> 'healthy' OR warning_ltv IS NOT NULL) AS any`;
    if (!any) {
      this.lastSearch = undefined;
      return [];
    }
    const [now, markets, prices, settings] = await Promise.all([this.clock.now(), this.markets.readAll(), this.prices.current(), this.settings.get()]);
    // The lowest level anything is sent at, per asset: its margin call, or a lower warning level.
    // A change of warning levels moves the lanes' margin factors, which the bound below compares.
    const firstWarning = settings.marginCallWarnings[0];
    const reviewFrom = (marginCallLtv: Decimal) => (firstWarning?.lt(marginCallLtv) ? firstWarning : marginCallLtv);
    const priced = markets.filter((m) => prices.has(m.asset));
    // Per lane, one factor for each side, so that each row costs one multiplication: the debt's
    // rounded up and the margin's down to 12 decimals, so the filter can only let more accounts
    // through, never fewer.
    const lanes = priced.flatMap((m): LaneFactors[] => {
      const live = liveAt(m, now);
      const price = prices.get(m.asset)!;
      return TIERS.map((tier) => ({
        asset: m.asset,
        tier,
        debt: live.lanes[tier].borrowIndex.times(price).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_UP),
        margin: live.lanes[tier].supplyIndex.times(price).times(reviewFrom(m.risk.marginCallLtv)).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_DOWN),
      }));
    });
    const writes = () => this.prisma.$queryRaw<{ writes: string }[]>`SELECT last_value::text || '/' || is_called::text AS writes FROM holdings_writes`;
    // Every day's sweep after a quiet night (interest only), and a price move too small to
    // matter, need not value every borrower: when no holding has been written since the last
    // full search, the lanes' factors bound how far any LTV can have moved (sweep-bound.ts),
    // and if that cannot bring anyone new to a level, only the accounts past one then can be
    // past one now: those are looked at again, and nobody else. The answer is the full search's.
    const previous = this.lastSearch;
    if (previous && previous.writes === (await writes())[0].writes && nobodyNewPastLevel(previous, lanes)) {
      const found = await this.search(lanes, previous.past);
      // A holding written meanwhile may be in what the narrowed search read: search in full.
      if ((await writes())[0].writes === previous.writes) return found.accounts;
    }
    const [{ writes: before }] = await writes();
    const found = await this.search(lanes, null);
    // Remembered only when no transaction was writing as the search began: every write counted
    // up to `before` was then committed and in what it read; any later one moves the counter.
    this.lastSearch = found.quiet ? { lanes, past: found.past, closest: found.closest, writes: before } : undefined;
    return found.accounts;
  }

  /**
   * Every account whose debt is at or past its margin-call level (among `only`, when given) and
   * every account last seen in trouble; with, for a full search, the highest debt / level among
   * the other borrowers and whether any transaction that writes was in progress at its snapshot.
   */
  private async search(lanes: LaneFactors[], only: string[] | null): Promise<{ accounts: string[]; past: string[]; closest: Decimal; quiet: boolean }> {
    // Hash joins, and room to hash: the planner sees the lanes (unnest, 8 rows) and the debts
    // grouped from them as a few dozen rows, and so probes the positions index once per
    // borrower in a nested loop, sorting aggregates on disk. Measured at 100,000 loans (the
    // liquidation bench's sweep): about half the time with one pass over each table instead.
    const rows = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_nestloop = off`;
      await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
      return tx.$queryRaw<{ account_id: string | null; past: boolean | null; closest: string | null; quiet: boolean | null }[]>`
      WITH m AS (
        SELECT * FROM unnest(${lanes.map((l) => l.asset)}::text[], ${lanes.map((l) => l.tier)}::text[],
                             ${lanes.map((l) => l.debt.toFixed())}::numeric[], ${lanes.map((l) => l.margin.toFixed())}::numeric[])
          AS m(asset, tier, debt_factor, margin_factor)
      ),
      debt AS (
        SELECT l.account_id, a.tier, sum(l.scaled_debt * m.debt_factor) AS value
        FROM loans l JOIN accounts a ON a.id = l.account_id JOIN m ON m.asset = l.asset AND m.tier = a.tier
        WHERE l.scaled_debt > 0 AND (${only}::uuid[] IS NULL OR l.account_id = ANY(${only}::uuid[]))
        GROUP BY l.account_id, a.tier
      ),
      margin AS (
        SELECT p.account_id, sum(p.scaled * m.margin_factor) AS value
        FROM positions p JOIN debt ON debt.account_id = p.account_id JOIN m ON m.asset = p.asset AND m.tier = debt.tier
        WHERE p.scaled > 0 GROUP BY p.account_id
      ),
      level AS (
        SELECT debt.account_id, debt.value, coalesce(margin.value, 0) AS margin FROM debt LEFT JOIN margin ON margin.account_id = debt.account_id
      )
      SELECT account_id, true AS past, NULL AS closest, NULL::boolean AS quiet FROM level WHERE value >= margin
      UNION ALL
      SELECT account_id, false, NULL, NULL FROM account_risk WHERE status <> 'healthy' OR warning_ltv IS NOT NULL
      UNION ALL
      SELECT NULL, NULL, coalesce(max(value / margin), 0)::text, NOT EXISTS (SELECT 1 FROM pg_snapshot_xip(pg_current_snapshot()))
      FROM level WHERE value < margin`;
    });
    const summary = rows.find((row) => row.account_id === null)!;
    const accounts = rows.filter((row) => row.account_id !== null);
    return {
      accounts: [...new Set(accounts.map((row) => row.account_id!))].sort(),
      past: accounts.filter((row) => row.past).map((row) => row.account_id!),
      closest: dec(summary.closest!),
      quiet: summary.quiet === true,
    };
  }
}
