import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { levelProblem, liquidationLevelFits } from './liquidation-level.js';
import { LiquidationStrategyPatch, LiquidationStrategySettings, parseStrategyPatch, strategySettingsFromRow } from './liquidation-strategy.js';
import { invalidField } from '../common/errors/domain-error.js';
import { PlatformRuleSettings, PlatformRulesPatch, parseWarningLevels, platformRulesOf } from './platform-rules.js';

export interface Settings extends PlatformRuleSettings, LiquidationStrategySettings {
  lendingPeriodDays: number;
  liquidationFee: Decimal;
}

export type SettingsPatch = { lendingPeriodDays?: number; liquidationFee?: string } & PlatformRulesPatch & LiquidationStrategyPatch;

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
      // The markets' liquidation levels must stay below 1 − fee: lock them while checking.
      const fee = patch.liquidationFee !== undefined ? dec(patch.liquidationFee) : undefined;
      if (fee && !strategyPatch.liquidationStrategy) {
        const markets = await tx.$queryRaw<{ asset: string; liquidation_ltv: string }[]>`
          SELECT asset, liquidation_ltv::text FROM markets ORDER BY asset FOR UPDATE`;
        // The fee bounds the levels under the restore strategy only (levelProblem).
        const { liquidationStrategy } = await this.get(tx);
        const blocking = markets.filter((m) => liquidationStrategy === 'restore' && !liquidationLevelFits(dec(m.liquidation_ltv), fee));
        if (blocking.length) {
          throw invalidField(
            'liquidationFee',
            `must keep every liquidation level below 1 − fee; ${blocking.map((m) => `${m.asset} ${m.liquidation_ltv}`).join(', ')} would not be`,
          );
        }
      }
      // Liquidation strategy (issue 16): a new strategy checks every market's level its own way.
      if (strategyPatch.liquidationStrategy) await this.checkLevelsFor(tx, strategyPatch.liquidationStrategy, fee);
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
   * Liquidation strategy (issue 16): every market's level checked as the new strategy needs
   * (levelProblem), the markets locked while checking (in code order, as every movement locks them).
   */
  private async checkLevelsFor(tx: Tx, strategy: string, newFee: Decimal | undefined): Promise<void> {
    const markets = await tx.$queryRaw<{ asset: string; liquidation_ltv: string; liquidation_bonus: string }[]>`
      SELECT asset, liquidation_ltv::text, liquidation_bonus::text FROM markets ORDER BY asset FOR UPDATE`;
    const fee = newFee ?? (await this.get(tx)).liquidationFee;
    const blocking = markets
      .map((m) => ({ asset: m.asset, problem: levelProblem(strategy, { asset: m.asset, liquidationLtv: dec(m.liquidation_ltv), liquidationBonus: dec(m.liquidation_bonus) }, fee) }))
      .filter((m) => m.problem !== null);
    if (blocking.length) {
      throw invalidField('liquidationStrategy', `${strategy} needs every market's levels to fit it; ${blocking.map((m) => `${m.asset}: ${m.problem}`).join('; ')}`);
    }
  }
}
