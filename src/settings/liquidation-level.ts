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

/** What the strategy's level check needs of a market. */
export interface MarketLevel {
  asset: string;
  liquidationLtv: Decimal;
  liquidationBonus: Decimal;
}

/**
 * The level check of each strategy (issue 16), null when the market passes, else what it must be:
 *  - restore: liquidationLtv < 1 − fee (above it, a sale at the fee raises the LTV);
 *  - close-factor: liquidationLtv × (1 + bonus) ≤ 1 (Aave's rule: seizing repaid × (1 + bonus)
 *    of collateral at the threshold must not leave the account less healthy than before);
 *  - absorb: none beyond the levels' order (everything is taken, whatever the level).
 */
export function levelProblem(strategy: string, market: MarketLevel, fee: Decimal): string | null {
  if (strategy === 'restore') {
    return liquidationLevelFits(market.liquidationLtv, fee)
      ? null
      : `liquidationLtv must be below 1 − liquidationFee (${liquidationCeiling(fee).toFixed()}): a sale at the fee lowers LTV only below it`;
  }
  if (strategy === 'close-factor') {
    return market.liquidationLtv.times(ONE.plus(market.liquidationBonus)).lte(ONE) ? null : 'liquidationLtv × (1 + liquidationBonus) must be at most 1';
  }
  return null;
}
