import { Decimal } from '../common/money/decimal.js';
import type { SettingsPatch } from '../settings/settings.service.js';
import { LENDLAB } from './lendlab.js';
import { PRESET_ASSETS, type Preset, type PresetAsset } from './preset.js';

/**
 * What applying a preset writes, through the same services the admin's PUT /v1/settings and
 * PUT /v1/markets/:asset use (so their checks hold), and what the engine cannot apply yet.
 *
 * THE ONE PLACE to extend when the engine gains a rule: every rule a preset has and the engine
 * follows is written here (settings: lending period, fee, the platform rules and the liquidation
 * strategy with its figures; markets: curve, levels and the strategy's per-asset terms), and the
 * rest is said in `notApplied`. A strategy's terms are written only for the strategy that reads
 * them (restore reads none), so a market's other terms stay as they were. Pure: a preset in,
 * plain data out.
 */
export interface PresetWrites {
  /** The body of PUT /v1/settings. */
  settings: Required<Pick<SettingsPatch, 'lendingPeriodDays' | 'liquidationFee' | 'topUpResetsMaturity' | 'wholePositionWithdrawals' | 'loyaltyTiers' | 'marginCallWarnings' | 'liquidationStrategy'>> &
    Pick<SettingsPatch, 'closeFactor' | 'fullCloseHealthFactor' | 'fullCloseBelowValue' | 'storeFrontPriceFactor'>;
  /** Per asset, the body of PUT /v1/markets/:asset. */
  markets: Record<PresetAsset, { rateModel: Record<RateKey, string>; risk: Record<RiskKey, string> & Partial<Record<TermKey, string>> }>;
  /** The preset's rules the engine now follows, one sentence each. */
  applied: string[];
  /** The preset's rules the engine cannot follow yet, and what stands in for each. */
  notApplied: string[];
}

type RateKey = 'baseRate' | 'optimalUtilization' | 'slope1' | 'slope2' | 'reserveFactor';
type RiskKey = 'maxLtv' | 'marginCallLtv' | 'liquidationLtv';
type TermKey = 'liquidationBonus' | 'protocolFeeShare' | 'liquidationFactor';

const pct = (value: string) => `${new Decimal(value).times(100).toFixed()} %`;

/**
 * The engine's margin-call level for an asset. The engine's markets need maxLtv < marginCallLtv
 * < liquidationLtv (the contract's check), whatever the strategy. Aave and Compound send no
 * margin call (their presets put it at the liquidation level): the stand-in is halfway between
 * the borrowing limit and the liquidation level, exact in decimals. Under their strategies it is
 * only where the notice is sent: nothing is sold back to it.
 */
export function engineMarginCall(maxLtv: string, marginCallLtv: string, liquidationLtv: string): string {
  // Only "no margin call" (equal levels) is stood in for; any other order is the preset's own, for the markets to refuse.
  if (!new Decimal(marginCallLtv).eq(liquidationLtv)) return marginCallLtv;
  return new Decimal(maxLtv).plus(liquidationLtv).div(2).toFixed();
}

export function presetWrites(preset: Preset): PresetWrites {
  const { platform } = preset;
  const applied: string[] = [];
  const notApplied: string[] = [];
  const standIns: string[] = [];
  const liquidation = platform.liquidation;
  const terms = (asset: PresetAsset): Partial<Record<TermKey, string>> =>
    liquidation.strategy === 'close-factor'
      ? { liquidationBonus: liquidation.bonus[asset].value, protocolFeeShare: liquidation.protocolFeeShare[asset].value }
      : liquidation.strategy === 'absorb'
        ? { liquidationFactor: liquidation.liquidationFactor[asset].value }
        : {};
  const markets = Object.fromEntries(
    PRESET_ASSETS.map((asset) => {
      const { curve, risk } = preset.assets[asset];
      const marginCallLtv = engineMarginCall(risk.maxLtv.value, risk.marginCallLtv.value, risk.liquidationLtv.value);
      if (marginCallLtv !== risk.marginCallLtv.value) standIns.push(`${asset} ${pct(marginCallLtv)}`);
      return [
        asset,
        {
          rateModel: {
            baseRate: curve.baseRate.value,
            optimalUtilization: curve.optimalUtilization.value,
            slope1: curve.slope1.value,
            slope2: curve.slope2.value,
            reserveFactor: curve.reserveFactor.value,
          },
          risk: { maxLtv: risk.maxLtv.value, marginCallLtv, liquidationLtv: risk.liquidationLtv.value, ...terms(asset) },
        },
      ];
    }),
  ) as PresetWrites['markets'];
  applied.push('each asset\u2019s rate curve and reserve factor (from the next 00:00 UTC, as any curve change)');
  applied.push('each asset\u2019s borrowing limit (max LTV) and liquidation level');
  if (standIns.length) {
    notApplied.push(
      `no margin call on this platform: the engine needs one below the liquidation level, so it sends its margin-call notice halfway between the borrowing limit and the liquidation level (${standIns.join(', ')}); nothing is sold back to it`,
    );
  } else {
    applied.push('each asset\u2019s margin-call level');
  }

  // The fee is restore's; the other strategies do not read it, so LendLab's stays (its check binds restore only).
  const liquidationFee = liquidation.strategy === 'restore' ? liquidation.fee.value : (LENDLAB.platform.liquidation as { fee: { value: string } }).fee.value;
  const strategy: Partial<PresetWrites['settings']> = {};
  if (liquidation.strategy === 'restore') {
    applied.push(`liquidation: collateral sold until LTV is back at the margin-call level, ${pct(liquidationFee)} fee`);
  } else if (liquidation.strategy === 'close-factor') {
    strategy.closeFactor = liquidation.closeFactor.value;
    strategy.fullCloseHealthFactor = liquidation.fullCloseHealthFactor.value;
    strategy.fullCloseBelowValue = liquidation.fullCloseBelowValue.value;
    applied.push(
      `liquidation by close factor: the platform, as liquidator, repays up to ${pct(liquidation.closeFactor.value)} of the debt (all of it at health factor ${liquidation.fullCloseHealthFactor.value} or below, or under $${liquidation.fullCloseBelowValue.value}) and seizes collateral worth the repayment plus each asset\u2019s bonus, the protocol keeping its share of the bonus`,
    );
  } else {
    strategy.storeFrontPriceFactor = liquidation.storeFrontPriceFactor.value;
    applied.push('liquidation by absorption: the protocol takes all the collateral, credits each asset at its liquidation factor, leaves a surplus to the borrower and books a shortfall as bad debt');
    notApplied.push('store-front sales of absorbed collateral: the platform keeps it in its inventory (the notice gives the store-front price)');
  }

  const lendingPeriodDays = platform.lendingPeriodDays.value;
  applied.push(lendingPeriodDays === 0 ? 'no lock: a deposit can be withdrawn at once (lending period 0 days)' : `deposits locked for ${lendingPeriodDays} days`);

  if (platform.accrualPeriod.value !== 'daily') {
    notApplied.push(`${platform.accrualPeriod.value} accrual: the engine accrues interest daily at 00:00 UTC`);
  } else {
    applied.push('daily accrual (the engine\u2019s own)');
  }
  applied.push(platform.topUpResetsMaturity.value ? 'a top-up moves the whole position\u2019s maturity' : 'a top-up leaves the position\u2019s maturity where it was');
  applied.push(platform.wholePositionWithdrawals.value ? 'only the whole matured position can be withdrawn' : 'partial withdrawals');
  applied.push(platform.loyaltyTiers.value ? 'loyalty tiers' : 'no loyalty tiers: every account stays in the base tier');
  if (platform.marginCallWarnings.value.length) applied.push(`margin-call warnings at ${platform.marginCallWarnings.value.map(pct).join(', ')} LTV`);
  return {
    settings: {
      lendingPeriodDays,
      liquidationFee,
      topUpResetsMaturity: platform.topUpResetsMaturity.value,
      wholePositionWithdrawals: platform.wholePositionWithdrawals.value,
      loyaltyTiers: platform.loyaltyTiers.value,
      marginCallWarnings: platform.marginCallWarnings.value,
      liquidationStrategy: liquidation.strategy,
      ...strategy,
    },
    markets,
    applied,
    notApplied,
  };
}

/**
 * The order that never breaks the check liquidationLtv < 1 − liquidationFee on the way, given a
 * final state that passes it: a lower (or equal) fee raises the ceiling, so it goes first, then
 * the markets; a higher fee lowers it, so the markets (already under the new ceiling, hence
 * under the old one) go first, then the fee.
 */
export function writeOrder(currentFee: string, targetFee: string): 'fee-first' | 'markets-first' {
  return new Decimal(targetFee).lte(currentFee) ? 'fee-first' : 'markets-first';
}
