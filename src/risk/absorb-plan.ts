import { Decimal, ONE, ZERO } from '../common/money/decimal.js';
import type { Debt } from './close-factor-plan.js';
import type { Collateral } from './liquidation-plan.js';

/**
 * The Compound v3 (Comet) liquidation, pure (compound-finance/comet, Comet.sol: isLiquidatable,
 * absorbInternal, quoteCollateral):
 *   liquidatable when debt value > Σ valueᵢ × liquidateCollateralFactorᵢ (Comet's liquidity < 0,
 *   so a debt exactly at that sum is not liquidatable); here the factor is the asset's liquidationLtv.
 *   The protocol then absorbs ALL the account's collateral and credits Σ valueᵢ × liquidationFactorᵢ
 *   against the debt. A credit above the debt is left to the account as a balance of the debt asset
 *   (Comet: a positive base balance, i.e. a supply that earns interest); a credit below it leaves
 *   the shortfall to the protocol's reserves: bad debt, and the account owes nothing.
 *   The protocol sells the absorbed collateral later at the store-front price
 *   price × (1 − storeFrontPriceFactor × (1 − liquidationFactor)).
 *
 * Rounding, as Comet's integer arithmetic does: the credit, converted to units of the debt asset,
 * rounds down to its decimals (divPrice is a floor division): the protocol's favour, by less
 * than one unit. Everything else is an exact product (no division), so it needs no rounding.
 * Collateral without a price cannot be valued: the plan refuses it (Comet would revert).
 */
export interface AbsorbCollateral extends Collateral {
  /** Share of the value credited to the account when absorbed. */
  liquidationFactor: Decimal;
}

export interface Absorbed {
  asset: string;
  /** All the account's units of it. */
  units: Decimal;
  price: Decimal;
  /** units × price, USD. */
  value: Decimal;
  /** value × liquidationFactor, USD. */
  credited: Decimal;
  /** The price the protocol sells at: price × (1 − storeFrontPriceFactor × (1 − liquidationFactor)). */
  storeFrontPrice: Decimal;
  /** units × storeFrontPrice, USD: what buyers pay the protocol for all of it. */
  storeFrontProceeds: Decimal;
}

export interface AbsorbPlan {
  liquidatable: boolean;
  /** Debt value / collateral value; null without collateral. */
  ltv: Decimal | null;
  /** Σ valueᵢ × liquidationLtvᵢ / collateral value: the level the LTV crossed; null without collateral. */
  liquidationLevel: Decimal | null;
  absorbed: Absorbed[];
  /** Units of the debt asset credited (Σ credited / debt price, rounded down). */
  credit: Decimal;
  /** Units of the debt asset left to the account as a balance when the credit exceeds the debt. */
  surplus: Decimal;
  /** Units of debt the protocol writes off when the credit falls short. */
  badDebt: Decimal;
  /** USD: what the protocol ends with if it sells everything at the store-front price, net of the
   * debt it cancelled and the surplus it paid: Σ storeFrontProceeds − (debt value + surplus value). */
  protocolResultIfSold: Decimal;
}

export function planAbsorb(debt: Debt, collateral: AbsorbCollateral[], storeFrontPriceFactor: Decimal): AbsorbPlan {
  const held = collateral.filter((c) => c.amount.gt(0));
  const unpriced = held.filter((c) => !(c.price && c.price.gt(0))).map((c) => c.asset);
  if (unpriced.length > 0) throw new Error(`cannot absorb collateral without a price: ${unpriced.join(', ')}`);
  const debtValue = debt.amount.times(debt.price);
  const value = (c: AbsorbCollateral) => c.amount.times(c.price!);
  const collateralValue = held.reduce((sum, c) => sum.plus(value(c)), ZERO);
  const weighted = held.reduce((sum, c) => sum.plus(value(c).times(c.levels.liquidationLtv)), ZERO);
  const ltv = collateralValue.gt(0) ? debtValue.div(collateralValue) : null;
  const liquidationLevel = collateralValue.gt(0) ? weighted.div(collateralValue) : null;
  const liquidatable = debt.amount.gt(0) && debtValue.gt(weighted);
  if (!liquidatable) {
    return { liquidatable, ltv, liquidationLevel, absorbed: [], credit: ZERO, surplus: ZERO, badDebt: ZERO, protocolResultIfSold: ZERO };
  }

  const absorbed = held.map((c): Absorbed => {
    const price = c.price!;
    const storeFrontPrice = price.times(ONE.minus(storeFrontPriceFactor.times(ONE.minus(c.liquidationFactor))));
    return {
      asset: c.asset,
      units: c.amount,
      price,
      value: value(c),
      credited: value(c).times(c.liquidationFactor),
      storeFrontPrice,
      storeFrontProceeds: c.amount.times(storeFrontPrice),
    };
  });
  const creditedValue = absorbed.reduce((sum, a) => sum.plus(a.credited), ZERO);
  const credit = creditedValue.div(debt.price).toDecimalPlaces(debt.decimals, Decimal.ROUND_DOWN);
  const surplus = Decimal.max(credit.minus(debt.amount), ZERO);
  const badDebt = Decimal.max(debt.amount.minus(credit), ZERO);
  const proceeds = absorbed.reduce((sum, a) => sum.plus(a.storeFrontProceeds), ZERO);
  const protocolResultIfSold = proceeds.minus(debtValue).minus(surplus.times(debt.price));
  return { liquidatable, ltv, liquidationLevel, absorbed, credit, surplus, badDebt, protocolResultIfSold };
}
