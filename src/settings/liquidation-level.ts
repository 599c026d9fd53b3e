import { Decimal, ONE } from '../common/money/decimal.js';

/**
 * A market's liquidation level stays below 1 − the liquidation fee: selling collateral at a fee
 * lowers an account's LTV only while the LTV is below 1 − fee (above it, each sale raises it).
 * Markets check a new level against the fee; settings check a new fee against every level.
 */
export function liquidationCeiling(fee: Decimal): Decimal {
  return ONE.minus(fee);
}

export function liquidationLevelFits(liquidationLtv: Decimal, fee: Decimal): boolean {
  return liquidationLtv.lt(liquidationCeiling(fee));
}
