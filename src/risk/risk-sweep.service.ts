import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';

/**
 * Finds the accounts a risk review must look at, in one set-based statement (SQL on purpose:
 * a price crash must find thousands of accounts among hundreds of thousands of loans in one
 * pass, not one query per account): every account whose debt is at or past its blended
 * margin-call level (D ≥ Σ vᵢ·mcᵢ, no division), and every account last seen in trouble, so
 * that its recovery is recorded too. The figures use live indexes and unrounded amounts; each
 * account's review then decides exactly, under its lock.
 */
@Injectable()
export class RiskSweepService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
  ) {}

  async accountsToReview(): Promise<string[]> {
    const [now, markets, prices] = await Promise.all([this.clock.now(), this.markets.readAll(), this.prices.current()]);
    const priced = markets.filter((m) => prices.has(m.asset));
    const live = priced.map((m) => liveAt(m, now));
    const rows = await this.prisma.$queryRaw<{ account_id: string }[]>`
      WITH m AS (
        SELECT * FROM unnest(${priced.map((m) => m.asset)}::text[], ${live.map((l) => l.supplyIndex.toFixed())}::numeric[],
                             ${live.map((l) => l.borrowIndex.toFixed())}::numeric[], ${priced.map((m) => prices.get(m.asset)!.toFixed())}::numeric[],
                             ${priced.map((m) => m.risk.marginCallLtv.toFixed())}::numeric[])
          AS m(asset, supply_index, borrow_index, price, margin_call_ltv)
      ),
      debt AS (
        SELECT l.account_id, sum(l.scaled_debt * m.borrow_index * m.price) AS value
        FROM loans l JOIN m ON m.asset = l.asset WHERE l.scaled_debt > 0 GROUP BY l.account_id
      ),
      margin AS (
        SELECT p.account_id, sum(p.scaled * m.supply_index * m.price * m.margin_call_ltv) AS value
        FROM positions p JOIN m ON m.asset = p.asset
        WHERE p.scaled > 0 AND p.account_id IN (SELECT account_id FROM debt) GROUP BY p.account_id
      )
      SELECT debt.account_id FROM debt LEFT JOIN margin ON margin.account_id = debt.account_id
      WHERE debt.value >= coalesce(margin.value, 0)
      UNION
      SELECT account_id FROM account_risk WHERE status <> 'healthy'`;
    return rows.map((row) => row.account_id).sort();
  }
}
