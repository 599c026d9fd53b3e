import { Decimal, ONE, ZERO } from '../common/money/decimal.js';

/** The kinked borrow curve's parameters (shared/reference/rate-and-risk-models.md). */
export interface RateModel {
  baseRate: Decimal;
  optimalUtilization: Decimal;
  slope1: Decimal;
  slope2: Decimal;
  reserveFactor: Decimal;
}

/** Rates and utilisation are kept to 30 decimal places: far past the 18 significant digits shown. */
export const RATE_DECIMALS = 30;

/**
 * U = min(1, borrowed / supplied) (api-contract); an empty market is 0% utilised. Debt can
 * outgrow supply at full utilisation (loans keep accruing while nothing is left to lend), and
 * the market then reports, and prices, full utilisation.
 */
export function utilization(borrowed: Decimal, supplied: Decimal): Decimal {
  if (supplied.lte(0)) return ZERO;
  return Decimal.min(borrowed.div(supplied), ONE).toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

/**
 * R(U) = base + slope1 × U/Uopt                              for U ≤ Uopt
 *      = base + slope1 + slope2 × (U − Uopt)/(1 − Uopt)       above it
 * U above 1 (debt can outgrow supply at full utilisation) is priced as 1.
 */
export function borrowRate(model: RateModel, u: Decimal): Decimal {
  const capped = Decimal.min(u, ONE);
  const rate = capped.lte(model.optimalUtilization)
    ? model.baseRate.plus(model.slope1.times(capped).div(model.optimalUtilization))
    : model.baseRate
        .plus(model.slope1)
        .plus(model.slope2.times(capped.minus(model.optimalUtilization)).div(ONE.minus(model.optimalUtilization)));
  return rate.toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

/** Suppliers earn the borrow rate × U × (1 − reserve factor); the rest is the platform's reserve. */
export function supplyRate(model: RateModel, u: Decimal, borrow = borrowRate(model, u)): Decimal {
  return borrow
    .times(Decimal.min(u, ONE))
    .times(ONE.minus(model.reserveFactor))
    .toDecimalPlaces(RATE_DECIMALS, Decimal.ROUND_HALF_EVEN);
}

export function ratesAt(model: RateModel, u: Decimal): { borrowApr: Decimal; supplyApr: Decimal } {
  const last = lastRates.get(model);
  if (last && last.u.eq(u)) return last.rates;
  const borrowApr = borrowRate(model, u);
  const rates = { borrowApr, supplyApr: supplyRate(model, u, borrowApr) };
  lastRates.set(model, { u, rates });
  return rates;
}

/**
 * Each model's last answer: the same utilisation gives the same rates, and a quiet stretch
 * closes an empty market's days at 0 % day after day with the same model (one object, shared
 * by the days' states). Keyed by the object, so a changed model is a new key.
 */
const lastRates = new WeakMap<RateModel, { u: Decimal; rates: { borrowApr: Decimal; supplyApr: Decimal } }>();
