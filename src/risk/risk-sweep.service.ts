import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';
import { TIERS } from '../markets/tier-lanes.js';
import { Decimal } from '../common/money/decimal.js';
import { SettingsService } from '../settings/settings.service.js';

const FACTOR_DECIMALS = 12;

/**
 * Finds the accounts a risk review must look at, in one set-based statement (SQL on purpose:
 * a price crash must find thousands of accounts among hundreds of thousands of loans in one
 * pass, not one query per account): every account whose debt is at or past its blended
 * margin-call level (D ≥ Σ vᵢ·mcᵢ, no division) or past the platform's lowest margin-call
 * warning level when that is lower (margin-warnings.ts), and every account last seen in
 * trouble or at a warning level, so that its recovery is recorded too. The figures use live indexes and unrounded amounts; each
 * account's review then decides exactly, under its lock.
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

  async accountsToReview(): Promise<string[]> {
    // Nobody owes anything and nobody is in trouble (a world of savers, or of repaid loans): one
    // indexed look, not the valuation of every loan.
    const [{ any }] = await this.prisma.$queryRaw<{ any: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM loans WHERE scaled_debt > 0)
          OR EXISTS (SELECT 1 FROM account_risk WHERE status <> 'healthy' OR warning_ltv IS NOT NULL) AS any`;
    if (!any) return [];
    const [now, markets, prices, settings] = await Promise.all([this.clock.now(), this.markets.readAll(), this.prices.current(), this.settings.get()]);
    // The lowest level anything is sent at, per asset: its margin call, or a lower warning level.
    const firstWarning = settings.marginCallWarnings[0];
    const reviewFrom = (marginCallLtv: Decimal) => (firstWarning?.lt(marginCallLtv) ? firstWarning : marginCallLtv);
    const priced = markets.filter((m) => prices.has(m.asset));
    // Per lane, one factor for each side, so that each row costs one multiplication: the debt's
    // rounded up and the margin's down to 12 decimals, so the filter can only let more accounts
    // through, never fewer.
    const lanes = priced.flatMap((m) => {
      const live = liveAt(m, now);
      const price = prices.get(m.asset)!;
      return TIERS.map((tier) => ({
        asset: m.asset,
        tier,
        debt: live.lanes[tier].borrowIndex.times(price).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_UP),
        margin: live.lanes[tier].supplyIndex.times(price).times(reviewFrom(m.risk.marginCallLtv)).toDecimalPlaces(FACTOR_DECIMALS, Decimal.ROUND_DOWN),
      }));
    });
    // Hash joins, and room to hash: the planner sees the lanes (unnest, 8 rows) and the debts
    // grouped from them as a few dozen rows, and so probes the positions index once per
    // borrower in a nested loop, sorting aggregates on disk. Measured at 100,000 loans (the
    // liquidation bench's sweep): about half the time with one pass over each table instead.
    const rows = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SET LOCAL enable_nestloop = off`;
      await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
      return tx.$queryRaw<{ account_id: string }[]>`
      WITH m AS (
        SELECT * FROM unnest(${lanes.map((l) => l.asset)}::text[], ${lanes.map((l) => l.tier)}::text[],
                             ${lanes.map((l) => l.debt.toFixed())}::numeric[], ${lanes.map((l) => l.margin.toFixed())}::numeric[])
          AS m(asset, tier, debt_factor, margin_factor)
      ),
      debt AS (
        SELECT l.account_id, a.tier, sum(l.scaled_debt * m.debt_factor) AS value
        FROM loans l JOIN accounts a ON a.id = l.account_id JOIN m ON m.asset = l.asset AND m.tier = a.tier
        WHERE l.scaled_debt > 0 GROUP BY l.account_id, a.tier
      ),
      margin AS (
        SELECT p.account_id, sum(p.scaled * m.margin_factor) AS value
        FROM positions p JOIN debt ON debt.account_id = p.account_id JOIN m ON m.asset = p.asset AND m.tier = debt.tier
        WHERE p.scaled > 0 GROUP BY p.account_id
      )
      SELECT debt.account_id FROM debt LEFT JOIN margin ON margin.account_id = debt.account_id
      WHERE debt.value >= coalesce(margin.value, 0)
      UNION
      SELECT account_id FROM account_risk WHERE status <> 'healthy' OR warning_ltv IS NOT NULL`;
    });
    return rows.map((row) => row.account_id).sort();
  }
}
