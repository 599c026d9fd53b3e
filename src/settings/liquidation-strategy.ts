import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { Optional } from '../common/http/optional.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { invalidField } from '../common/errors/domain-error.js';

/**
 * How the platform liquidates an account past its liquidation level (issue 16; docs/presets.md):
 *  - `restore` (today's): sell just enough, fee to the platform, LTV back at the margin-call level;
 *  - `close-factor` (Aave v3): repay up to closeFactor of the debt (all of it at or below
 *    fullCloseHealthFactor, or when collateral or debt is worth less than fullCloseBelowValue),
 *    the platform as liquidator seizing repaid × (1 + the asset's bonus);
 *  - `absorb` (Compound v3): all collateral taken, credited at value × the asset's liquidation factor.
 */
export const LIQUIDATION_STRATEGIES = ['restore', 'close-factor', 'absorb'] as const;
export type LiquidationStrategy = (typeof LIQUIDATION_STRATEGIES)[number];

export interface LiquidationStrategySettings {
  liquidationStrategy: LiquidationStrategy;
  closeFactor: Decimal;
  fullCloseHealthFactor: Decimal;
  /** USD */
  fullCloseBelowValue: Decimal;
  storeFrontPriceFactor: Decimal;
}

/** A share from 0 to 1, at most 8 decimals (the columns' scale): stored exactly as sent. */
const SHARE = /^(0(\.[0-9]{1,8})?|1(\.0{1,8})?)$/;
/** USD, 0 or more, below 10^15, at most 18 decimals. */
const USD = /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,18})?$/;
const SHARE_DOC = { pattern: SHARE.source, description: 'A decimal string from 0 to 1, at most 8 decimals' };

/** PUT /v1/settings: the strategy's fields (the DTO extends this). */
export class LiquidationStrategyPatch {
  @ApiPropertyOptional({ enum: LIQUIDATION_STRATEGIES, example: 'restore', description: 'How accounts past their liquidation level are liquidated (default restore: back to the margin-call level)' })
  @Optional()
  @IsIn(LIQUIDATION_STRATEGIES)
  liquidationStrategy?: LiquidationStrategy;

  @ApiPropertyOptional({ example: '0.5', ...SHARE_DOC, description: 'close-factor: share of the debt one liquidation may repay; above 0, at most 1 (8 decimals)' })
  @Optional()
  @IsString()
  closeFactor?: string;

  @ApiPropertyOptional({ example: '0.95', ...SHARE_DOC, description: 'close-factor: at or below this health factor the whole debt may be repaid; 0 to 1 (8 decimals)' })
  @Optional()
  @IsString()
  fullCloseHealthFactor?: string;

  @ApiPropertyOptional({ example: '2000', pattern: USD.source, description: 'close-factor: USD; a position whose collateral or debt is worth less may be closed whole' })
  @Optional()
  @IsString()
  fullCloseBelowValue?: string;

  @ApiPropertyOptional({ example: '0.5', ...SHARE_DOC, description: 'absorb: the store-front price is price × (1 − this × (1 − liquidationFactor)); 0 to 1 (8 decimals)' })
  @Optional()
  @IsString()
  storeFrontPriceFactor?: string;
}

/** GET /v1/settings: the strategy's fields (the view extends this). */
export class LiquidationStrategyView {
  @ApiProperty({ enum: LIQUIDATION_STRATEGIES }) liquidationStrategy: LiquidationStrategy;
  @ApiProperty({ description: 'close-factor strategy' }) closeFactor: string;
  @ApiProperty({ description: 'close-factor strategy' }) fullCloseHealthFactor: string;
  @ApiProperty({ description: 'close-factor strategy, USD' }) fullCloseBelowValue: string;
  @ApiProperty({ description: 'absorb strategy' }) storeFrontPriceFactor: string;
}

export function strategySettingsFromRow(row: {
  liquidationStrategy: string;
  closeFactor: { toString(): string };
  fullCloseHealthFactor: { toString(): string };
  fullCloseBelowValue: { toString(): string };
  storeFrontPriceFactor: { toString(): string };
}): LiquidationStrategySettings {
  return {
    liquidationStrategy: row.liquidationStrategy as LiquidationStrategy,
    closeFactor: dec(row.closeFactor.toString()),
    fullCloseHealthFactor: dec(row.fullCloseHealthFactor.toString()),
    fullCloseBelowValue: dec(row.fullCloseBelowValue.toString()),
    storeFrontPriceFactor: dec(row.storeFrontPriceFactor.toString()),
  };
}

export function strategySettingsView(settings: LiquidationStrategySettings): LiquidationStrategyView {
  return {
    liquidationStrategy: settings.liquidationStrategy,
    closeFactor: settings.closeFactor.toFixed(),
    fullCloseHealthFactor: settings.fullCloseHealthFactor.toFixed(),
    fullCloseBelowValue: settings.fullCloseBelowValue.toFixed(),
    storeFrontPriceFactor: settings.storeFrontPriceFactor.toFixed(),
  };
}

/** The patch's strategy fields checked (400 VALIDATION_FAILED naming the field) and parsed; absent ones stay undefined. */
export function parseStrategyPatch(patch: LiquidationStrategyPatch): Partial<LiquidationStrategySettings> {
  const share = (field: keyof LiquidationStrategyPatch, value: string | undefined, positive = false): Decimal | undefined => {
    if (value === undefined) return undefined;
    if (!SHARE.test(value) || (positive && dec(value).isZero())) {
      throw invalidField(field, `must be a decimal string from ${positive ? 'above 0' : '0'} to 1 with at most 8 decimals, such as "0.5"`);
    }
    return dec(value);
  };
  if (patch.fullCloseBelowValue !== undefined && !USD.test(patch.fullCloseBelowValue)) {
    throw invalidField('fullCloseBelowValue', 'must be a USD decimal string, 0 or more, below 10^15, at most 18 decimals, such as "2000"');
  }
  return {
    liquidationStrategy: patch.liquidationStrategy,
    closeFactor: share('closeFactor', patch.closeFactor, true),
    fullCloseHealthFactor: share('fullCloseHealthFactor', patch.fullCloseHealthFactor),
    fullCloseBelowValue: patch.fullCloseBelowValue === undefined ? undefined : dec(patch.fullCloseBelowValue),
    storeFrontPriceFactor: share('storeFrontPriceFactor', patch.storeFrontPriceFactor),
  };
}
