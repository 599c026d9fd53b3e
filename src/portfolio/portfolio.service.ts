import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { dec } from '../common/money/decimal.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { PricesService } from '../prices/prices.service.js';
import { PositionRow, positionView, PositionView } from '../deposits/positions.js';
import { OwnedAccount } from '../accounts/accounts.service.js';
import { showRate } from '../calc/compounding.js';
import { valueAccount } from '../risk/valuation.js';

export interface AccountView {
  id: string;
  label: string;
  userId: string;
  tier: string;
  positions: PositionView[];
  loans: unknown[];
  collateralValue: string;
  debtValue: string;
  ltv: string | null;
  maxLtv: string | null;
  marginCallLtv: string | null;
  liquidationLtv: string | null;
  status: string;
}

/** An account as its owner sees it: positions at today's index, values in USD, LTV and status. */
@Injectable()
export class PortfolioService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly markets: MarketsRepository,
    private readonly prices: PricesService,
  ) {}

  async view(account: OwnedAccount): Promise<AccountView> {
    const [now, markets, prices, rows] = await Promise.all([
      this.clock.now(),
      this.markets.readAll(),
      this.prices.current(),
      this.prisma.$queryRaw<PositionRow[]>`
        SELECT id, account_id, asset, scaled::text, principal::text, matures_at FROM positions
        WHERE account_id = ${account.id}::uuid AND scaled > 0 ORDER BY asset`,
    ]);
    const marketOf = new Map(markets.map((m) => [m.asset, m]));
    const positions = rows.map((row) => {
      const market = marketOf.get(row.asset)!;
      return positionView(row, liveAt(market, now).supplyIndex, market.decimals, now);
    });
    const valuation = valueAccount(
      positions.map((p) => ({ asset: p.asset, amount: dec(p.amount) })),
      [],
      prices,
      (asset) => marketOf.get(asset)!.risk,
    );
    return {
      id: account.id,
      label: account.label,
      userId: account.userId,
      tier: 'base',
      positions,
      loans: [],
      collateralValue: valuation.collateralValue.toFixed(),
      debtValue: valuation.debtValue.toFixed(),
      ltv: valuation.ltv ? showRate(valuation.ltv) : null,
      maxLtv: valuation.levels ? showRate(valuation.levels.maxLtv) : null,
      marginCallLtv: valuation.levels ? showRate(valuation.levels.marginCallLtv) : null,
      liquidationLtv: valuation.levels ? showRate(valuation.levels.liquidationLtv) : null,
      status: valuation.status,
    };
  }
}
