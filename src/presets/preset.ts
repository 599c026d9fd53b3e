/**
 * A product preset: the rules of one real platform as data, every figure with where it comes
 * from. preset-settings.ts turns one into the settings and market writes the engine takes
 * (PresetsService applies them); the scenarios compare platforms by applying several in turn.
 * Figures are decimal strings, never JS numbers (money rules, api-contract.md).
 */
import type { MarketParameters } from '../markets/market-defaults.js';

/** The sandbox's assets: every preset says something about each of them. */
export const PRESET_ASSETS = ['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB'] as const;
export type PresetAsset = (typeof PRESET_ASSETS)[number];

/** One figure and its provenance. */
export interface Sourced<T = string> {
  value: T;
  /** Document or URL, and the date the figure was read or is valid for ("as of ..."). */
  source: string;
  /** Set when the figure is not the platform's own published value: what was assumed and why. */
  assumption?: string;
}

/** A market's kinked borrow curve and reserve factor, LendLab's shape (rate-model.ts). */
export interface RateCurve {
  baseRate: Sourced;
  optimalUtilization: Sourced;
  slope1: Sourced;
  slope2: Sourced;
  reserveFactor: Sourced;
}

/** The three LTV levels of a collateral asset (market-defaults.ts). */
export interface RiskLevelsRule {
  maxLtv: Sourced;
  marginCallLtv: Sourced;
  liquidationLtv: Sourced;
}

export interface AssetRules {
  curve: RateCurve;
  risk: RiskLevelsRule;
}

/** LendLab's own: sell collateral until LTV is back at the margin-call level (liquidation-plan.ts). */
export interface RestoreLiquidation {
  strategy: 'restore';
  /** Share of the value sold kept by the platform. */
  fee: Sourced;
}

/** Aave v3: a liquidator repays part of the debt and seizes collateral with a bonus (close-factor-plan.ts). */
export interface CloseFactorLiquidation {
  strategy: 'close-factor';
  /** Share of the debt one liquidation may repay while the health factor is above the threshold below. */
  closeFactor: Sourced;
  /** At or below this health factor the whole debt may be repaid at once. */
  fullCloseHealthFactor: Sourced;
  /** USD: below this collateral or debt value the whole debt may be repaid at once (Aave v3.3). */
  fullCloseBelowValue: Sourced;
  /** Per collateral asset: seized value = repaid × (1 + bonus). */
  bonus: Record<PresetAsset, Sourced>;
  /** Per collateral asset: the protocol's share of the bonus (Aave's liquidationProtocolFee). */
  protocolFeeShare: Record<PresetAsset, Sourced>;
}

/** Compound v3: the protocol absorbs all collateral and credits a share of its value (absorb-plan.ts). */
export interface AbsorbLiquidation {
  strategy: 'absorb';
  /** Per collateral asset: the account is credited value × liquidationFactor. */
  liquidationFactor: Record<PresetAsset, Sourced>;
  /** The protocol later sells at price × (1 − storeFrontPriceFactor × (1 − liquidationFactor)). */
  storeFrontPriceFactor: Sourced;
}

export type LiquidationRules = RestoreLiquidation | CloseFactorLiquidation | AbsorbLiquidation;
export type LiquidationStrategy = LiquidationRules['strategy'];

export interface PlatformRules {
  /** Days a deposit is locked; 0: withdraw at any time. */
  lendingPeriodDays: Sourced<number>;
  /** Whether a top-up moves the maturity of the whole position. */
  topUpResetsMaturity: Sourced<boolean>;
  /** Whether only the whole position may be withdrawn once mature. */
  wholePositionWithdrawals: Sourced<boolean>;
  /** How often interest is added. The engine accrues daily only (docs/presets.md). */
  accrualPeriod: Sourced<'daily' | 'hourly' | 'per-second'>;
  loyaltyTiers: Sourced<boolean>;
  /** Extra LTV levels at which a margin-call warning is sent, ascending (beside each asset's own). */
  marginCallWarnings: Sourced<string[]>;
  liquidation: LiquidationRules;
}

export interface Preset {
  name: string;
  title: string;
  /** One sentence a teacher can read out: what is special about this platform. */
  summary: string;
  assets: Record<PresetAsset, AssetRules>;
  platform: PlatformRules;
}

/** One figure with its source, optionally flagged as an assumption. */
export function fig<T = string>(value: T, source: string, assumption?: string): Sourced<T> {
  return assumption === undefined ? { value, source } : { value, source, assumption };
}

/** Plain figures of one asset, all read from one document: the engine's market parameters. */
export type AssetFigures = MarketParameters;

/** An asset's rules from plain figures; `sources` names a source per figure group, `assumptions` flags some figures. */
export function assetRules(
  figures: AssetFigures,
  sources: { curve: string; risk: string },
  assumptions: Partial<Record<keyof AssetFigures, string>> = {},
): AssetRules {
  const at = (key: keyof AssetFigures, source: string) => fig(figures[key], source, assumptions[key]);
  return {
    curve: {
      baseRate: at('baseRate', sources.curve),
      optimalUtilization: at('optimalUtilization', sources.curve),
      slope1: at('slope1', sources.curve),
      slope2: at('slope2', sources.curve),
      reserveFactor: at('reserveFactor', sources.curve),
    },
    risk: {
      maxLtv: at('maxLtv', sources.risk),
      marginCallLtv: at('marginCallLtv', sources.risk),
      liquidationLtv: at('liquidationLtv', sources.risk),
    },
  };
}

/** The same assumption for every figure of an asset (an asset the platform does not list). */
export function allAssumed(reason: string): Partial<Record<keyof AssetFigures, string>> {
  const keys: (keyof AssetFigures)[] = ['baseRate', 'optimalUtilization', 'slope1', 'slope2', 'reserveFactor', 'maxLtv', 'marginCallLtv', 'liquidationLtv'];
  return Object.fromEntries(keys.map((k) => [k, reason]));
}

/** The same rule built for every sandbox asset. */
export function everyAsset(rules: (asset: PresetAsset) => AssetRules): Record<PresetAsset, AssetRules> {
  return Object.fromEntries(PRESET_ASSETS.map((a) => [a, rules(a)])) as Record<PresetAsset, AssetRules>;
}
