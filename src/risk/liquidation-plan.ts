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
 * When selling everything cannot reach the target, everything is sold and the debt is repaid
 * first: the fees of all the sales together are capped at what remains after the debt is
 * repaid in full (so a fee never turns a covered debt into bad debt), and a debt left unpaid
 * is bad debt. Collateral without a price cannot be sold; while any remains, nothing is
 * written off.
 */
export interface Collateral {
  asset: string;
  amount: Decimal;
  price: Decimal | undefined;
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
  /** True when every unit of collateral is sold: whatever debt remains is to be written off. */
  soldEverything: boolean;
  /** USD of debt left unpaid after every unit of collateral was sold. */
  badDebt: Decimal;
}

type Priced = Collateral & { price: Decimal };

export function saleOrder<T extends Priced>(collateral: T[]): T[] {
  return [...collateral].sort((a, b) => {
    const byLevel = a.levels.liquidationLtv.comparedTo(b.levels.liquidationLtv);
    if (byLevel !== 0) return byLevel;
    const byValue = b.amount.times(b.price).comparedTo(a.amount.times(a.price));
    return byValue !== 0 ? byValue : a.asset.localeCompare(b.asset);
  });
}

export function planLiquidation(debtValue: Decimal, collateral: Collateral[], fee: Decimal): LiquidationPlan {
  const held = saleOrder(collateral.filter((c): c is Priced => c.amount.gt(0) && c.price !== undefined && c.price.gt(0)));
  const unpricedLeft = collateral.some((c) => c.amount.gt(0) && !(c.price && c.price.gt(0)));
  let debt = debtValue;
  let marginWeighted = held.reduce((sum, c) => sum.plus(c.amount.times(c.price).times(c.levels.marginCallLtv)), ZERO);
  const sales: Sale[] = [];
  for (const c of held) {
    if (debt.lte(marginWeighted)) break;
    const needed = debt.minus(marginWeighted).div(ONE.minus(fee).minus(c.levels.marginCallLtv));
    const units = Decimal.min(needed.div(c.price).toDecimalPlaces(c.decimals, Decimal.ROUND_UP), c.amount);
    const proceeds = units.times(c.price);
    let feeValue = proceeds.times(fee);
    let repaid = proceeds.minus(feeValue);
    if (repaid.gt(debt)) {
      // Rounding the units up can sell a hair more than the whole debt: the rest is the fee's.
      repaid = debt;
      feeValue = proceeds.minus(repaid);
    }
    sales.push({ asset: c.asset, units, price: c.price, proceeds, fee: feeValue, repaid, soldAll: units.eq(c.amount) });
    debt = debt.minus(repaid);
    marginWeighted = Decimal.max(marginWeighted.minus(proceeds.times(c.levels.marginCallLtv)), ZERO);
  }
  const soldEverything = !unpricedLeft && sales.length === held.length && sales.every((s) => s.soldAll);
  if (!soldEverything || debt.lte(0)) return { sales, soldEverything, badDebt: ZERO };
  // Everything is sold and the target is out of reach: the debt is repaid before any fee.
  const total = sales.reduce((sum, s) => sum.plus(s.proceeds), ZERO);
  const repaidTotal = Decimal.min(total, debtValue);
  const feeTotal = Decimal.min(total.times(fee), total.minus(repaidTotal));
  const capped = sales.map((s) => {
    const share = total.isZero() ? ZERO : s.proceeds.div(total);
    const saleFee = feeTotal.times(share);
    return { ...s, fee: saleFee, repaid: s.proceeds.minus(saleFee) };
  });
  return { sales: capped, soldEverything, badDebt: Decimal.max(debtValue.minus(repaidTotal), ZERO) };
}
