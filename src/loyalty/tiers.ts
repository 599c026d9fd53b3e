import { Decimal, ZERO, dec } from '../common/money/decimal.js';

/**
 * Loyalty tiers (reference: rate-and-risk-models.md, Loyalty tiers). An account's tier is set
 * at each 00:00 for the day from the LAB share of its collateral value, LAB included, when that
 * value is at least the minimum portfolio; a better tier earns more and borrows cheaper.
 */
export const TIERS = ['base', 'silver', 'gold', 'platinum'] as const;
export type Tier = (typeof TIERS)[number];

export const LOYALTY_TOKEN = 'LAB';
export const MINIMUM_PORTFOLIO_USD = dec('5000');

interface TierRule {
  /** Lowest LAB share of the collateral value that reaches the tier. */
  minimumShare: Decimal;
  /** Added to every supply APR. */
  supplyBonus: Decimal;
  /** Subtracted from every borrow APR, never below zero. */
  borrowDiscount: Decimal;
}

export const TIER_RULES: Record<Tier, TierRule> = {
  base: { minimumShare: ZERO, supplyBonus: ZERO, borrowDiscount: ZERO },
  silver: { minimumShare: dec('0.01'), supplyBonus: dec('0.005'), borrowDiscount: dec('0.01') },
  gold: { minimumShare: dec('0.05'), supplyBonus: dec('0.01'), borrowDiscount: dec('0.05') },
  platinum: { minimumShare: dec('0.10'), supplyBonus: dec('0.02'), borrowDiscount: dec('0.08') },
};

export function isTier(value: unknown): value is Tier {
  return (TIERS as readonly unknown[]).includes(value);
}

/** The tier an account's collateral earns: LAB value over total value, both in USD. */
export function tierFor(loyaltyTokenValue: Decimal, collateralValue: Decimal): Tier {
  if (collateralValue.lt(MINIMUM_PORTFOLIO_USD)) return 'base';
  const share = loyaltyTokenValue.div(collateralValue);
  // The best tier whose minimum the share reaches; base's minimum is 0, so there is always one.
  return [...TIERS].reverse().find((tier) => share.gte(TIER_RULES[tier].minimumShare))!;
}

/** A tier's rates for the day, from the market's (base) rates. */
export function laneRates(base: { supplyApr: Decimal; borrowApr: Decimal }, tier: Tier): { supplyApr: Decimal; borrowApr: Decimal } {
  const rule = TIER_RULES[tier];
  return {
    supplyApr: base.supplyApr.plus(rule.supplyBonus),
    borrowApr: Decimal.max(base.borrowApr.minus(rule.borrowDiscount), ZERO),
  };
}
