import { Decimal, ONE, ZERO } from '../common/money/decimal.js';
import { saleOrder, type Collateral } from './liquidation-plan.js';

/**
 * The Aave v3 liquidation, pure (aave-dao/aave-v3-origin, LiquidationLogic.sol, v3.3):
 *   health factor HF = Σ valueᵢ × liquidationThresholdᵢ / debt value; liquidatable when HF < 1.
 *   One liquidation repays at most closeFactor (0.5) of the debt, or all of it when HF ≤ 0.95
 *   (CLOSE_FACTOR_HF_THRESHOLD) or when the collateral or the debt is worth less than $2,000
 *   (MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD). The liquidator seizes repaid × (1 + bonus) of
 *   collateral value; the protocol keeps protocolFeeShare of the bonus part
 *   (liquidationProtocolFee). When an asset cannot cover that, all of it is seized and only
 *   value / (1 + bonus) is repaid. When no collateral remains, the debt left is bad debt
 *   (v3.3's deficit), written off.
 * Here the threshold is the asset's liquidationLtv. Aave liquidates one collateral per call,
 * chosen by the liquidator; this plan is one liquidation event that takes the collateral in
 * LendLab's sale order (saleOrder: lowest liquidation level, then largest value, then code)
 * until the allowed repayment is reached, the allowed amount set once from the HF before it.
 * Not modelled: Aave's rule that a partial liquidation must leave at least $1,000 of debt and
 * collateral (MIN_LEFTOVER_BASE), e-mode, isolation mode.
 *
 * Rounding, as Aave's integer arithmetic does (each says whom it favours):
 * - the allowed repayment (debt × closeFactor) rounds down to the debt asset's decimals:
 *   the borrower's favour (slightly less liquidated);
 * - seized units = repaid × (1 + bonus) × debt price / collateral price round down to the
 *   collateral's decimals (Aave: baseCollateral is a floor division): the borrower's favour;
 * - when the collateral is short, repaid = all units × price / (1 + bonus) / debt price
 *   rounds down (Aave: debtAmountNeeded is a floor division): the liquidator's favour, the
 *   borrower keeps at most one unit more of debt (written off anyway once no collateral is left);
 * - the protocol's share of the bonus rounds half up (Aave's percentMul/percentDiv): within one unit.
 * Comparisons with 1 and 0.95 are made on exact products, never on the rounded HF.
 */
export interface CloseFactorCollateral extends Collateral {
  /** Seized value = repaid × (1 + bonus). */
  bonus: Decimal;
  /** The protocol's share of the bonus part of what is seized. */
  protocolFeeShare: Decimal;
}

export interface Debt {
  /** Units of the debt asset. */
  amount: Decimal;
  price: Decimal;
  decimals: number;
}

export interface CloseFactorRules {
  closeFactor: Decimal;
  fullCloseHealthFactor: Decimal;
  /** USD: a position whose collateral or debt is worth less may be closed whole. */
  fullCloseBelowValue: Decimal;
}

export interface Seizure {
  asset: string;
  /** Units taken from the account. */
  units: Decimal;
  price: Decimal;
  /** units × price, USD. */
  value: Decimal;
  /** Units of the debt asset repaid with this seizure. */
  repaid: Decimal;
  /** Units the liquidator receives: units − protocolFeeUnits. */
  liquidatorUnits: Decimal;
  /** Units the protocol (treasury) receives: its share of the bonus. */
  protocolFeeUnits: Decimal;
  seizedAll: boolean;
}

export interface CloseFactorPlan {
  /** Σ valueᵢ × thresholdᵢ / debt value (64 significant digits); null without debt. */
  healthFactor: Decimal | null;
  liquidatable: boolean;
  /** The share of the debt this liquidation was allowed to repay (0 when not liquidatable). */
  closeFactor: Decimal;
  /** Units of debt this liquidation was allowed to repay. */
  maxRepay: Decimal;
  seizures: Seizure[];
  /** Units of debt repaid in all. */
  repaid: Decimal;
  /** Units of debt written off because no collateral is left (v3.3 deficit). */
  badDebt: Decimal;
  /** Units of debt the account still owes. */
  debtLeft: Decimal;
}

type Priced = CloseFactorCollateral & { price: Decimal };

export function planCloseFactorLiquidation(debt: Debt, collateral: CloseFactorCollateral[], rules: CloseFactorRules): CloseFactorPlan {
  const held = saleOrder(collateral.filter((c): c is Priced => c.amount.gt(0) && c.price !== undefined && c.price.gt(0)));
  const unpricedLeft = collateral.some((c) => c.amount.gt(0) && !(c.price && c.price.gt(0)));
  const debtValue = debt.amount.times(debt.price);
  const collateralValue = held.reduce((sum, c) => sum.plus(c.amount.times(c.price)), ZERO);
  const weighted = held.reduce((sum, c) => sum.plus(c.amount.times(c.price).times(c.levels.liquidationLtv)), ZERO);
  const healthFactor = debtValue.gt(0) ? weighted.div(debtValue) : null;
  const none = { seizures: [], repaid: ZERO, badDebt: ZERO, debtLeft: debt.amount };
  if (!weighted.lt(debtValue)) return { healthFactor, liquidatable: false, closeFactor: ZERO, maxRepay: ZERO, ...none };

  const wholeDebt =
    weighted.lte(debtValue.times(rules.fullCloseHealthFactor)) ||
    collateralValue.lt(rules.fullCloseBelowValue) ||
    debtValue.lt(rules.fullCloseBelowValue);
  const closeFactor = wholeDebt ? ONE : rules.closeFactor;
  const maxRepay = debt.amount.times(closeFactor).toDecimalPlaces(debt.decimals, Decimal.ROUND_DOWN);

  let remaining = maxRepay;
  const seizures: Seizure[] = [];
  for (const c of held) {
    if (remaining.lte(0)) break;
    const multiplier = ONE.plus(c.bonus);
    const needed = remaining.times(debt.price).times(multiplier).div(c.price);
    const short = needed.gt(c.amount);
    const units = short ? c.amount : needed.toDecimalPlaces(c.decimals, Decimal.ROUND_DOWN);
    const repaid = short
      ? Decimal.min(units.times(c.price).div(multiplier).div(debt.price).toDecimalPlaces(debt.decimals, Decimal.ROUND_DOWN), remaining)
      : remaining;
    const baseUnits = units.div(multiplier).toDecimalPlaces(c.decimals, Decimal.ROUND_HALF_UP);
    const protocolFeeUnits = units.minus(baseUnits).times(c.protocolFeeShare).toDecimalPlaces(c.decimals, Decimal.ROUND_HALF_UP);
    seizures.push({
      asset: c.asset,
      units,
      price: c.price,
      value: units.times(c.price),
      repaid,
      liquidatorUnits: units.minus(protocolFeeUnits),
      protocolFeeUnits,
      seizedAll: units.eq(c.amount),
    });
    remaining = remaining.minus(repaid);
  }

  const repaid = maxRepay.minus(remaining);
  const owed = debt.amount.minus(repaid);
  const noCollateralLeft = !unpricedLeft && seizures.length === held.length && seizures.every((s) => s.seizedAll);
  const badDebt = noCollateralLeft ? owed : ZERO;
  return { healthFactor, liquidatable: true, closeFactor, maxRepay, seizures, repaid, badDebt, debtLeft: owed.minus(badDebt) };
}
