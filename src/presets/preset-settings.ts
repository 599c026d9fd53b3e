import { Decimal } from '../common/money/decimal.js';
import { LENDLAB } from './lendlab.js';
import { PRESET_ASSETS, type Preset, type PresetAsset } from './preset.js';

/**
 * What applying a preset writes, through the same services the admin's PUT /v1/settings and
 * PUT /v1/markets/:asset use (so their checks hold), and what the engine cannot apply yet.
 *
 * THE ONE PLACE to extend when the engine gains a rule: today settings hold only
 * lendingPeriodDays and liquidationFee, and markets their curve and three levels. When
 * topUpResetsMaturity, wholePositionWithdrawals, loyaltyTiers, marginCallWarnings, the
 * liquidation strategy and its figures (closeFactor, fullCloseHealthFactor, fullCloseBelowValue,
 * per-market bonus / protocolFeeShare / liquidationFactor, storeFrontPriceFactor) exist, add
 * them to `settings` / `markets` below and move their sentence from `notApplied` to `applied`.
 * Pure: a preset in, plain data out.
 */
export interface PresetWrites {
  /** The body of PUT /v1/settings. */
  settings: { lendingPeriodDays: number; liquidationFee: string };
  /** Per asset, the body of PUT /v1/markets/:asset. */
  markets: Record<PresetAsset, { rateModel: Record<RateKey, string>; risk: Record<RiskKey, string> }>;
  /** The preset's rules the engine now follows, one sentence each. */
  applied: string[];
  /** The preset's rules the engine cannot follow yet, and what stands in for each. */
  notApplied: string[];
}

type RateKey = 'baseRate' | 'optimalUtilization' | 'slope1' | 'slope2' | 'reserveFactor';
type RiskKey = 'maxLtv' | 'marginCallLtv' | 'liquidationLtv';

const pct = (value: string) => `${new Decimal(value).times(100).toFixed()} %`;

/**
 * The engine's margin-call level for an asset. The engine's only liquidation (restore) sells
 * back to the margin-call level, so it needs maxLtv < marginCallLtv < liquidationLtv. Aave and
 * Compound send no margin call (their presets put it at the liquidation level): the stand-in is
 * halfway between the borrowing limit and the liquidation level, exact in decimals.
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
          risk: { maxLtv: risk.maxLtv.value, marginCallLtv, liquidationLtv: risk.liquidationLtv.value },
        },
      ];
    }),
  ) as PresetWrites['markets'];
  applied.push('each asset\u2019s rate curve and reserve factor (from the next 00:00 UTC, as any curve change)');
  applied.push('each asset\u2019s borrowing limit (max LTV) and liquidation level');
  if (standIns.length) {
    notApplied.push(
      `no margin call on this platform: the engine needs one below the liquidation level, so it sends its notice halfway between the borrowing limit and the liquidation level (${standIns.join(', ')})`,
    );
  } else {
    applied.push('each asset\u2019s margin-call level');
  }

  const liquidation = platform.liquidation;
  let liquidationFee: string;
  if (liquidation.strategy === 'restore') {
    liquidationFee = liquidation.fee.value;
    applied.push(`liquidation: collateral sold until LTV is back at the margin-call level, ${pct(liquidationFee)} fee`);
  } else {
    // The engine has only `restore`; LendLab's own fee stands in, so that a run is comparable.
    liquidationFee = (LENDLAB.platform.liquidation as { fee: { value: string } }).fee.value;
    notApplied.push(
      `liquidation strategy "${liquidation.strategy}" (${liquidation.strategy === 'close-factor' ? 'part of the debt repaid by a liquidator with a bonus' : 'the whole account absorbed by the protocol'}): the engine sells collateral back to the margin-call level with LendLab\u2019s ${pct(liquidationFee)} fee instead`,
    );
  }

  const lendingPeriodDays = platform.lendingPeriodDays.value;
  applied.push(lendingPeriodDays === 0 ? 'no lock: a deposit can be withdrawn at once (lending period 0 days)' : `deposits locked for ${lendingPeriodDays} days`);

  if (platform.accrualPeriod.value !== 'daily') {
    notApplied.push(`${platform.accrualPeriod.value} accrual: the engine accrues interest daily at 00:00 UTC`);
  } else {
    applied.push('daily accrual (the engine\u2019s own)');
  }
  // Today's engine always resets a maturity on top-up, allows whole-position withdrawals only, and has loyalty tiers.
  if (!platform.topUpResetsMaturity.value) notApplied.push('top-ups that leave the maturity alone: the engine moves the whole position\u2019s maturity on each deposit');
  if (!platform.wholePositionWithdrawals.value) notApplied.push('partial withdrawals: the engine withdraws a whole position only');
  if (!platform.loyaltyTiers.value) notApplied.push('no loyalty tiers: the engine\u2019s tiers stay on');
  if (platform.marginCallWarnings.value.length) {
    notApplied.push(`extra margin-call warnings at ${platform.marginCallWarnings.value.map(pct).join(', ')}: the engine sends one per asset level`);
  }
  return { settings: { lendingPeriodDays, liquidationFee }, markets, applied, notApplied };
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
