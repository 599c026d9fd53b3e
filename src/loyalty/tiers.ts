import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { TIERS, Tier } from '../markets/tier-lanes.js';

/**
 * Loyalty tiers (reference: rate-and-risk-models.md, Loyalty tiers). An account's tier is set
 * at each 00:00 for the day from the LAB share of its collateral value, LAB included, when that
 * value is at least the minimum portfolio. What a tier earns and pays is the market's tier lane
 * (src/markets/tier-lanes.ts).
 */
export const LOYALTY_TOKEN = 'LAB';
export const MINIMUM_PORTFOLIO_USD = dec('5000');

/** Lowest LAB share of the collateral value that reaches each tier. */
export const MINIMUM_SHARE: Record<Tier, Decimal> = {
  base: ZERO,
  silver: dec('0.01'),
  gold: dec('0.05'),
  platinum: dec('0.10'),
};

/** The tier an account's collateral earns: LAB value over total value, both in USD. */
export function tierFor(loyaltyTokenValue: Decimal, collateralValue: Decimal): Tier {
  if (collateralValue.lt(MINIMUM_PORTFOLIO_USD)) return 'base';
  const share = loyaltyTokenValue.div(collateralValue);
  // The best tier whose minimum the share reaches; base's minimum is 0, so there is always one.
  return [...TIERS].reverse().find((tier) => share.gte(MINIMUM_SHARE[tier]))!;
}
