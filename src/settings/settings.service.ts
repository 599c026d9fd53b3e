import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { levelProblem } from './liquidation-level.js';
import { LiquidationStrategy, LiquidationStrategyPatch, LiquidationStrategySettings, parseStrategyPatch, strategySettingsFromRow, strategySettingsView } from './liquidation-strategy.js';
import { invalidField } from '../common/errors/domain-error.js';
import { PlatformRuleSettings, PlatformRulesPatch, parseWarningLevels, platformRulesOf, platformRulesView } from './platform-rules.js';

export interface Settings extends PlatformRuleSettings, LiquidationStrategySettings {
  lendingPeriodDays: number;
  liquidationFee: Decimal;
}

export type SettingsPatch = { lendingPeriodDays?: number; liquidationFee?: string } & PlatformRulesPatch & LiquidationStrategyPatch;

/** The settings as GET /v1/settings shows them and PUT /v1/settings takes them: decimals as strings. */
export const plainSettings = (settings: Settings) => ({
  lendingPeriodDays: settings.lendingPeriodDays,
  liquidationFee: settings.liquidationFee.toFixed(),
  ...platformRulesView(settings),
  ...strategySettingsView(settings),
});

const FEE = /^0(\.[0-9]{1,8})?$/;

/** Platform-wide parameters: how long a deposit is locked, the liquidation fee, and the platform rules (platform-rules.ts). */
@Injectable()
export class SettingsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.prisma.settings.createMany({ data: [{ id: 1, updatedAt: await this.clock.now() }], skipDuplicates: true });
  }

  async get(tx: Tx = this.prisma): Promise<Settings> {
    const row = await tx.settings.findUniqueOrThrow({ where: { id: 1 } });
    return {
      lendingPeriodDays: row.lendingPeriodDays,
      liquidationFee: dec(row.liquidationFee),
      ...platformRulesOf(row),
      // Liquidation strategy (issue 16):
      ...strategySettingsFromRow(row),
    };
  }

  /** The settings, kept from changing until the caller's transaction ends (checks that depend on the fee). */
  async getLocked(tx: Tx): Promise<Settings> {
    // The lock first, then the read (in the same transaction, so it sees the row as locked):
    // one reader for every field, whichever fields the settings gain.
    await tx.$queryRaw`SELECT 1 FROM settings WHERE id = 1 FOR SHARE`;
    return this.get(tx);
  }

  async update(patch: SettingsPatch): Promise<Settings> {
    if (patch.liquidationFee !== undefined && !FEE.test(patch.liquidationFee)) {
      throw invalidField('liquidationFee', 'must be a decimal string from 0 to below 1 with at most 8 decimals, such as "0.05"');
    }
    // Platform rules (platform-rules.ts): checked before anything is written.
    const warnings = parseWarningLevels(patch.marginCallWarnings);
    // Liquidation strategy (issue 16): its fields checked before anything is locked.
    const strategyPatch = parseStrategyPatch(patch);
    await this.prisma.$transaction(async (tx) => {
      const fee = patch.liquidationFee !== undefined ? dec(patch.liquidationFee) : undefined;
      // A new fee or strategy must keep every market's level fitting the strategy (levelProblem).
      if (fee || strategyPatch.liquidationStrategy) await this.checkLevels(tx, strategyPatch.liquidationStrategy, fee);
      await tx.settings.update({
        where: { id: 1 },
        data: {
          lendingPeriodDays: patch.lendingPeriodDays,
          liquidationFee: fee?.toFixed(),
          // Platform rules (platform-rules.ts); undefined leaves a rule as it is.
          topUpResetsMaturity: patch.topUpResetsMaturity,
          wholePositionWithdrawals: patch.wholePositionWithdrawals,
          loyaltyTiers: patch.loyaltyTiers,
          marginCallWarnings: warnings?.map((level) => level.toFixed()),
          // Liquidation strategy (issue 16):
          liquidationStrategy: strategyPatch.liquidationStrategy,
          closeFactor: strategyPatch.closeFactor?.toFixed(),
          fullCloseHealthFactor: strategyPatch.fullCloseHealthFactor?.toFixed(),
          fullCloseBelowValue: strategyPatch.fullCloseBelowValue?.toFixed(),
          storeFrontPriceFactor: strategyPatch.storeFrontPriceFactor?.toFixed(),
          updatedAt: await this.clock.now(tx),
        },
      });
    });
    return this.get();
  }

  /**
   * Every market's level checked as the strategy needs it (levelProblem: restore's level below
   * 1 − fee, close-factor's level × (1 + bonus) ≤ 1), with the new strategy or fee and the stored
   * other; the markets locked while checking (in code order, as every movement locks them).
   */
  private async checkLevels(tx: Tx, newStrategy: LiquidationStrategy | undefined, newFee: Decimal | undefined): Promise<void> {
    // Locked (market_lock, as every writer of a market), then read in a statement of its own:
    // one that began before the locks were ours could read a market as it was before a change
    // that committed while it waited.
    await tx.$queryRaw`SELECT asset FROM market_lock((SELECT array_agg(asset) FROM markets))`;
    const markets = await tx.$queryRaw<{ asset: string; liquidation_ltv: string; liquidation_bonus: string }[]>`
      SELECT asset, liquidation_ltv::text, liquidation_bonus::text FROM markets ORDER BY asset`;
    const stored = newStrategy && newFee ? undefined : await this.get(tx);
    const strategy = newStrategy ?? stored!.liquidationStrategy;
    const fee = newFee ?? stored!.liquidationFee;
    const blocking = markets
      .map((m) => ({ asset: m.asset, problem: levelProblem(strategy, { asset: m.asset, liquidationLtv: dec(m.liquidation_ltv), liquidationBonus: dec(m.liquidation_bonus) }, fee) }))
      .filter((m) => m.problem !== null);
    if (blocking.length) {
      throw invalidField(
        newStrategy ? 'liquidationStrategy' : 'liquidationFee',
        `${strategy} needs every market's level to fit it; ${blocking.map((m) => `${m.asset}: ${m.problem}`).join('; ')}`,
      );
    }
  }
}
