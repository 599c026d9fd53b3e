import { TIERS, laneRates } from './tier-lanes.js';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { ASSETS } from '../common/money/assets.js';
import { requireAsset } from '../common/money/require-asset.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { invalidField, validationFailed } from '../common/errors/domain-error.js';
import { utcDateString } from '../clock/dates.js';
import { checkDateRange } from '../clock/date-range.js';
import { LedgerService, balanceKey } from '../ledger/ledger.service.js';
import { chart, platformAccountsOf } from '../ledger/chart.js';
import { PricesService } from '../prices/prices.service.js';
import { SettingsService } from '../settings/settings.service.js';
import { apyFromApr, showRate } from '../calc/compounding.js';
import { MARKET_DEFAULTS } from './market-defaults.js';
import { MarketsRepository } from './markets.repository.js';
import { MarketState, liveAt } from './market-state.js';
import { marketsAtDayStarts } from './day-starts.js';
import { ratesAt } from './rate-model.js';
import type { MarketDayView, MarketView, RateCurvePointView, UpdateMarketDto } from './markets.dto.js';
import { levelProblem } from '../settings/liquidation-level.js';
import { LiquidationTerms, checkLiquidationTerms, readLiquidationTerms, termsView } from './liquidation-terms.js';

const DAILY = 365;

@Injectable()
export class MarketsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly repository: MarketsRepository,
    private readonly ledger: LedgerService,
    private readonly prices: PricesService,
    private readonly settings: SettingsService,
  ) {}

  /** Every listed asset has a market from the first start: default parameters, indexes at 1. */
  async onModuleInit(): Promise<void> {
    const now = await this.clock.now();
    await this.prisma.market.createMany({
      data: ASSETS.map((asset) => {
        const params = MARKET_DEFAULTS[asset.code];
        const rates = ratesAt(
          {
            baseRate: dec(params.baseRate),
            optimalUtilization: dec(params.optimalUtilization),
            slope1: dec(params.slope1),
            slope2: dec(params.slope2),
            reserveFactor: dec(params.reserveFactor),
          },
          ZERO,
        );
        return {
          asset: asset.code,
          decimals: asset.decimals,
          ...params,
          updatedAt: now,
          indexDay: new Date(`${utcDateString(now)}T00:00:00Z`),
          borrowApr: rates.borrowApr.toFixed(),
          supplyApr: rates.supplyApr.toFixed(),
        };
      }),
      skipDuplicates: true,
    });
    // Each market has one lane per loyalty tier; a new lane starts with indexes at 1.
    await this.prisma.$executeRaw`
      INSERT INTO market_lanes (asset, tier) SELECT m.asset, t.tier FROM markets m CROSS JOIN unnest(${[...TIERS]}::text[]) AS t(tier)
      ON CONFLICT (asset, tier) DO NOTHING`;
    await this.ledger.open(this.prisma, ASSETS.flatMap((asset) => platformAccountsOf(asset.code)), now);
  }

  async list(): Promise<MarketView[]> {
    const [markets, now, prices, terms] = await Promise.all([this.repository.readAll(), this.clock.now(), this.prices.current(), readLiquidationTerms(this.prisma)]);
    // Every market's cash in one statement (a list is read every simulated day of a scenario).
    const cash = await this.ledger.balances(this.prisma, markets.map((market) => chart.marketCash(market.asset)));
    return markets.map((market) => this.view(market, now, prices.get(market.asset), terms.get(market.asset)!, cash.get(balanceKey(chart.marketCash(market.asset)))!));
  }

  async get(assetCode: string): Promise<MarketView> {
    const asset = requireAsset(assetCode);
    const [market, now, prices, terms, cash] = await Promise.all([
      this.repository.read(asset.code),
      this.clock.now(),
      this.prices.current(),
      readLiquidationTerms(this.prisma),
      this.ledger.balance(this.prisma, chart.marketCash(asset.code)),
    ]);
    return this.view(market!, now, prices.get(asset.code), terms.get(asset.code)!, cash);
  }

  async update(assetCode: string, patch: UpdateMarketDto): Promise<MarketView> {
    const asset = requireAsset(assetCode);
    await this.prisma.$transaction(async (tx) => {
      const market = await this.repository.lock(tx, asset.code);
      const { liquidationFee, liquidationStrategy } = await this.settings.getLocked(tx);
      const model = {
        baseRate: dec(patch.rateModel?.baseRate ?? market.model.baseRate),
        optimalUtilization: dec(patch.rateModel?.optimalUtilization ?? market.model.optimalUtilization),
        slope1: dec(patch.rateModel?.slope1 ?? market.model.slope1),
        slope2: dec(patch.rateModel?.slope2 ?? market.model.slope2),
        reserveFactor: dec(patch.rateModel?.reserveFactor ?? market.model.reserveFactor),
      };
      const risk = {
        maxLtv: dec(patch.risk?.maxLtv ?? market.risk.maxLtv),
        marginCallLtv: dec(patch.risk?.marginCallLtv ?? market.risk.marginCallLtv),
        liquidationLtv: dec(patch.risk?.liquidationLtv ?? market.risk.liquidationLtv),
      };
      if (model.slope1.gt(model.slope2)) throw invalidField('rateModel.slope1', 'must not exceed slope2');
      if (model.optimalUtilization.lte(0) || model.optimalUtilization.gte(1)) {
        throw invalidField('rateModel.optimalUtilization', 'must be above 0 and below 1');
      }
      if (model.reserveFactor.gte(1)) throw invalidField('rateModel.reserveFactor', 'must be below 1');
      if (!(risk.maxLtv.gt(0) && risk.maxLtv.lt(risk.marginCallLtv) && risk.marginCallLtv.lt(risk.liquidationLtv))) {
        throw validationFailed('Risk levels must satisfy 0 < maxLtv < marginCallLtv < liquidationLtv', {
          fields: { risk: ['0 < maxLtv < marginCallLtv < liquidationLtv'] },
        });
      }
      // Liquidation strategies (issue 16): the market's terms, and its level checked as the strategy needs.
      const current = (await readLiquidationTerms(tx)).get(asset.code)!;
      const terms: LiquidationTerms = {
        liquidationBonus: dec(patch.risk?.liquidationBonus ?? current.liquidationBonus),
        protocolFeeShare: dec(patch.risk?.protocolFeeShare ?? current.protocolFeeShare),
        liquidationFactor: dec(patch.risk?.liquidationFactor ?? current.liquidationFactor),
      };
      checkLiquidationTerms(terms);
      const problem = levelProblem(liquidationStrategy, { asset: asset.code, liquidationLtv: risk.liquidationLtv, liquidationBonus: terms.liquidationBonus }, liquidationFee);
      if (problem) throw invalidField(patch.risk?.liquidationLtv === undefined && patch.risk?.liquidationBonus !== undefined ? 'risk.liquidationBonus' : 'risk.liquidationLtv', problem);
      await tx.market.update({
        where: { asset: asset.code },
        data: {
          baseRate: model.baseRate.toFixed(),
          optimalUtilization: model.optimalUtilization.toFixed(),
          slope1: model.slope1.toFixed(),
          slope2: model.slope2.toFixed(),
          reserveFactor: model.reserveFactor.toFixed(),
          maxLtv: risk.maxLtv.toFixed(),
          marginCallLtv: risk.marginCallLtv.toFixed(),
          liquidationLtv: risk.liquidationLtv.toFixed(),
          liquidationBonus: terms.liquidationBonus.toFixed(),
          protocolFeeShare: terms.protocolFeeShare.toFixed(),
          liquidationFactor: terms.liquidationFactor.toFixed(),
          updatedAt: await this.clock.now(tx),
        },
      });
    });
    return this.get(asset.code);
  }

  async rateCurve(assetCode: string, rawPoints: string | undefined): Promise<RateCurvePointView[]> {
    const asset = requireAsset(assetCode);
    const points = rawPoints === undefined ? 21 : /^[0-9]{1,4}$/.test(rawPoints) ? Number(rawPoints) : NaN;
    if (!(points >= 2 && points <= 1001)) throw invalidField('points', 'must be a whole number from 2 to 1001');
    const market = (await this.repository.read(asset.code))!;
    return Array.from({ length: points }, (_, i) => {
      const u = new Decimal(i).div(points - 1);
      const rates = ratesAt(market.model, u);
      return { utilization: showRate(u), borrowApr: rates.borrowApr.toFixed(), supplyApr: rates.supplyApr.toFixed() };
    });
  }

  /**
   * The contract's rows, each with `afterDayStart`: the market as GET /v1/markets showed it at
   * 00:00 of the day once that instant's work was done (tier changes and the risk sweep move
   * holdings after the day's rates are set), rebuilt from the stored history (day-starts.ts);
   * absent for a day whose previous day is not accrued (the market's first).
   */
  async history(assetCode: string, from?: string, to?: string): Promise<MarketDayView[]> {
    const asset = requireAsset(assetCode);
    checkDateRange(from, to);
    const rows = await this.prisma.$queryRaw<Record<string, string>[]>`
      SELECT to_char(date, 'YYYY-MM-DD') AS date, utilization::text, borrow_apr::text, supply_apr::text,
             supply_index::text, borrow_index::text
      FROM market_days
      WHERE asset = ${asset.code} AND date >= ${from ?? '0001-01-01'}::date AND date <= ${to ?? '9999-12-31'}::date
      ORDER BY date LIMIT 36500`;
    if (rows.length === 0) return [];
    const byDate = new Map(rows.map((row) => [row.date, row]));
    const starts = await marketsAtDayStarts(this.prisma, (await this.repository.read(asset.code))!, rows[0].date, rows[rows.length - 1].date, (day) => {
      const row = byDate.get(day);
      return row && { dayUtilization: dec(row.utilization), supplyApr: dec(row.supply_apr), borrowApr: dec(row.borrow_apr) };
    });
    return rows.map((row) => {
      const start = starts.get(row.date);
      return {
        date: row.date,
        utilization: dec(row.utilization).toFixed(),
        borrowApr: dec(row.borrow_apr).toFixed(),
        supplyApr: dec(row.supply_apr).toFixed(),
        supplyIndex: dec(row.supply_index).toFixed(),
        borrowIndex: dec(row.borrow_index).toFixed(),
        ...(start && {
          afterDayStart: { utilization: start.utilization.toFixed(), totalSupplied: start.totalSupplied.toFixed(asset.decimals), totalBorrowed: start.totalBorrowed.toFixed(asset.decimals) },
        }),
      };
    });
  }

  private view(market: MarketState, now: Date, price: Decimal | undefined, terms: LiquidationTerms, cash: Decimal): MarketView {
    const live = liveAt(market, now);
    const next = ratesAt(market.model, live.utilization);
    const decimals = market.decimals;
    return {
      asset: market.asset,
      decimals,
      price: price ? price.toFixed() : null,
      totalSupplied: live.totalSupplied.toFixed(decimals),
      totalBorrowed: live.totalBorrowed.toFixed(decimals),
      availableLiquidity: cash.toFixed(decimals),
      utilization: live.utilization.toFixed(),
      borrowApr: live.today.borrowApr.toFixed(),
      supplyApr: live.today.supplyApr.toFixed(),
      borrowApy: showRate(apyFromApr(live.today.borrowApr, DAILY)),
      supplyApy: showRate(apyFromApr(live.today.supplyApr, DAILY)),
      supplyIndex: live.supplyIndex.toFixed(),
      borrowIndex: live.borrowIndex.toFixed(),
      ratesDate: live.today.indexDay,
      tiers: TIERS.map((tier) => {
        const rates = laneRates(live.today, tier);
        return {
          tier,
          supplyApr: rates.supplyApr.toFixed(),
          supplyApy: showRate(apyFromApr(rates.supplyApr, DAILY)),
          borrowApr: rates.borrowApr.toFixed(),
          borrowApy: showRate(apyFromApr(rates.borrowApr, DAILY)),
        };
      }),
      nextDay: { utilization: live.utilization.toFixed(), borrowApr: next.borrowApr.toFixed(), supplyApr: next.supplyApr.toFixed() },
      rateModel: {
        baseRate: market.model.baseRate.toFixed(),
        optimalUtilization: market.model.optimalUtilization.toFixed(),
        slope1: market.model.slope1.toFixed(),
        slope2: market.model.slope2.toFixed(),
        reserveFactor: market.model.reserveFactor.toFixed(),
      },
      risk: {
        maxLtv: market.risk.maxLtv.toFixed(),
        marginCallLtv: market.risk.marginCallLtv.toFixed(),
        liquidationLtv: market.risk.liquidationLtv.toFixed(),
        ...termsView(terms),
      },
    };
  }
}
