import { Decimal, ZERO } from '../common/money/decimal.js';
import type { RiskLevels } from '../markets/market-state.js';

export interface Holding {
  asset: string;
  amount: Decimal;
}

export type AccountStatus = 'healthy' | 'margin_call' | 'liquidating';

export interface Valuation {
  collateralValue: Decimal;
  debtValue: Decimal;
  /** debt / collateral; null without debt (and infinite debt over no collateral is shown as null too). */
  ltv: Decimal | null;
  /** The account's levels: its collateral assets' levels weighted by their value. */
  levels: RiskLevels | null;
  status: AccountStatus;
}

/**
 * LTV = debt value / collateral value at current prices (USD). Every position counts as
 * collateral, locked or not. An asset without a price is worth nothing here (it cannot be
 * valued), which errs on the side of caution for collateral; debts must have prices.
 */
export function valueAccount(
  positions: Holding[],
  debts: Holding[],
  prices: Map<string, Decimal>,
  levelsOf: (asset: string) => RiskLevels,
): Valuation {
  let collateralValue = ZERO;
  let maxWeighted = ZERO;
  let marginWeighted = ZERO;
  let liquidationWeighted = ZERO;
  for (const position of positions) {
    const value = position.amount.times(prices.get(position.asset) ?? ZERO);
    const levels = levelsOf(position.asset);
    collateralValue = collateralValue.plus(value);
    maxWeighted = maxWeighted.plus(value.times(levels.maxLtv));
    marginWeighted = marginWeighted.plus(value.times(levels.marginCallLtv));
    liquidationWeighted = liquidationWeighted.plus(value.times(levels.liquidationLtv));
  }
  const debtValue = debts.reduce((sum, debt) => sum.plus(debt.amount.times(prices.get(debt.asset) ?? ZERO)), ZERO);
  const levels = collateralValue.isZero()
    ? null
    : {
        maxLtv: maxWeighted.div(collateralValue),
        marginCallLtv: marginWeighted.div(collateralValue),
        liquidationLtv: liquidationWeighted.div(collateralValue),
      };
  const ltv = debtValue.isZero() || collateralValue.isZero() ? null : debtValue.div(collateralValue);
  return { collateralValue, debtValue, ltv, levels, status: statusOf(ltv, levels, debtValue, collateralValue) };
}

export function statusOf(ltv: Decimal | null, levels: RiskLevels | null, debtValue: Decimal, collateralValue: Decimal): AccountStatus {
  if (debtValue.gt(0) && collateralValue.isZero()) return 'liquidating';
  if (!ltv || !levels) return 'healthy';
  if (ltv.gte(levels.liquidationLtv)) return 'liquidating';
  if (ltv.gte(levels.marginCallLtv)) return 'margin_call';
  return 'healthy';
}
