import { Decimal, ZERO, dec } from '../common/money/decimal.js';

/**
 * A market's tier lanes (reference: rate-and-risk-models.md, Loyalty tiers): every market runs
 * one lane per tier, each with its own rates for the day (a better tier earns more and borrows
 * cheaper). Which tier an account is in is loyalty's business (src/loyalty/tiers.ts); the lanes
 * and their rates belong to the market, which every module that prices a position reads.
 */
export const TIERS = ['base', 'silver', 'gold', 'platinum'] as const;
export type Tier = (typeof TIERS)[number];

interface LaneRule {
  /** Added to every supply APR. */
  supplyBonus: Decimal;
  /** Subtracted from every borrow APR, never below zero. */
  borrowDiscount: Decimal;
}

export const LANE_RULES: Record<Tier, LaneRule> = {
  base: { supplyBonus: ZERO, borrowDiscount: ZERO },
  silver: { supplyBonus: dec('0.005'), borrowDiscount: dec('0.01') },
  gold: { supplyBonus: dec('0.01'), borrowDiscount: dec('0.05') },
  platinum: { supplyBonus: dec('0.02'), borrowDiscount: dec('0.08') },
};

export function isTier(value: unknown): value is Tier {
  return (TIERS as readonly unknown[]).includes(value);
}

/** A tier's rates for the day, from the market's (base) rates. */
export function laneRates(base: { supplyApr: Decimal; borrowApr: Decimal }, tier: Tier): { supplyApr: Decimal; borrowApr: Decimal } {
  const rule = LANE_RULES[tier];
  return {
    supplyApr: base.supplyApr.plus(rule.supplyBonus),
    borrowApr: Decimal.max(base.borrowApr.minus(rule.borrowDiscount), ZERO),
  };
}

/** Past this many pairs of rates the memo below starts again. */
const LANE_MEMO_SIZE = 1024;
const laneMemo = new Map<string, Record<Tier, { supplyApr: Decimal; borrowApr: Decimal }>>();

/**
 * Every tier's rates for the day (`laneRates`), memoised by the market's two rates: a day's
 * close needs all four lanes', and a quiet stretch closes hundreds of days at rates that rarely
 * move (an empty market's stay where they are). The same rates give the same lanes' rates.
 */
export function allLaneRates(base: { supplyApr: Decimal; borrowApr: Decimal }): Record<Tier, { supplyApr: Decimal; borrowApr: Decimal }> {
  const key = `${base.supplyApr.toString()}|${base.borrowApr.toString()}`;
  let lanes = laneMemo.get(key);
  if (lanes === undefined) {
    if (laneMemo.size >= LANE_MEMO_SIZE) laneMemo.clear();
    lanes = Object.fromEntries(TIERS.map((tier) => [tier, laneRates(base, tier)])) as Record<Tier, { supplyApr: Decimal; borrowApr: Decimal }>;
    laneMemo.set(key, lanes);
  }
  return lanes;
}
