import { Decimal, ONE, ZERO } from '../common/money/decimal.js';
import type { RiskLevels } from '../markets/market-state.js';

/**
 * The liquidation arithmetic (api-contract, Liquidation arithmetic), pure. Collateral is sold
 * at the current price, riskiest first (lowest liquidation level, then largest value, then
 * asset code). Selling x units at price p pays fee = f·x·p to the platform and repays
 * x·p − fee of debt. The sale of an asset stops as soon as the account's LTV is back at its
 * target, the blended margin-call level of what remains: with D the debt, M = Σ vᵢ·mcᵢ over
 * the collateral, selling value X of asset k gives D − X(1 − f) = M − X·mc_k, so
 *   X = (D − M) / (1 − f − mc_k),   x = X / p rounded up to k's decimals.
 * For one asset M = t·V and this is the contract's x = (D − t·V) / (p·(1 − f − t)).
 * When selling everything cannot reach the target, everything is sold; the fee is then capped
 * so that it never exceeds what remains after the debt is repaid in full, and a debt left
 * unpaid is bad debt.
 */
export interface Collateral {
  asset: string;
  amount: Decimal;
  price: Decimal;
  decimals: number;
  levels: RiskLevels;
}

export interface Sale {
  asset: string;
  units: Decimal;
  price: Decimal;
  /** USD */
  proceeds: Decimal;
  fee: Decimal;
  repaid: Decimal;
  soldAll: boolean;
}

export interface LiquidationPlan {
  sales: Sale[];
  /** USD of debt left unpaid after every unit of collateral was sold. */
  badDebt: Decimal;
}

export function saleOrder(collateral: Collateral[]): Collateral[] {
  return [...collateral].sort((a, b) => {
    const byLevel = a.levels.liquidationLtv.comparedTo(b.levels.liquidationLtv);
    if (byLevel !== 0) return byLevel;
    const byValue = b.amount.times(b.price).comparedTo(a.amount.times(a.price));
    return byValue !== 0 ? byValue : a.asset.localeCompare(b.asset);
  });
}

export function planLiquidation(debtValue: Decimal, collateral: Collateral[], fee: Decimal): LiquidationPlan {
  const held = collateral.filter((c) => c.amount.gt(0) && c.price.gt(0));
  let debt = debtValue;
  let marginWeighted = held.reduce((sum, c) => sum.plus(c.amount.times(c.price).times(c.levels.marginCallLtv)), ZERO);
  const sales: Sale[] = [];
  const ordered = saleOrder(held);
  for (const [i, c] of ordered.entries()) {
    if (debt.lte(marginWeighted)) break;
    const value = c.amount.times(c.price);
    const needed = debt.minus(marginWeighted).div(ONE.minus(fee).minus(c.levels.marginCallLtv));
    const units = Decimal.min(needed.div(c.price).toDecimalPlaces(c.decimals, Decimal.ROUND_UP), c.amount);
    const soldAll = units.eq(c.amount);
    const proceeds = units.times(c.price);
    const lastCollateral = soldAll && i === ordered.length - 1;
    let feeValue = proceeds.times(fee);
    let repaid = proceeds.minus(feeValue);
    if (lastCollateral && repaid.lt(debt)) {
      // Everything is sold and the target is out of reach: the debt comes first.
      repaid = Decimal.min(proceeds, debt);
      feeValue = Decimal.min(proceeds.times(fee), proceeds.minus(repaid));
    } else if (repaid.gt(debt)) {
      // Rounding the units up can sell a hair more than the whole debt: the rest is the fee's.
      repaid = debt;
      feeValue = proceeds.minus(repaid);
    }
    sales.push({ asset: c.asset, units, price: c.price, proceeds, fee: feeValue, repaid, soldAll });
    debt = debt.minus(repaid);
    marginWeighted = marginWeighted.minus(units.times(c.price).times(c.levels.marginCallLtv));
    if (marginWeighted.isNeg()) marginWeighted = ZERO;
  }
  const soldEverything = held.length > 0 && sales.length === held.length && sales.every((s) => s.soldAll);
  const badDebt = soldEverything || held.length === 0 ? debt : ZERO;
  return { sales, badDebt: Decimal.max(badDebt, ZERO) };
}
