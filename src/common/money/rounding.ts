import { Decimal } from './decimal.js';

/**
 * Who gets the fraction. LendLab rounds in the platform's favour, as Aave and Compound do:
 * what the platform owes a user (a position's value, a withdrawal) rounds down; what a user
 * owes the platform (a loan's outstanding debt) rounds up. The residue between the exact and
 * the rounded figure stays with the platform and is booked to its rounding ledger account.
 */

/** Rounds towards the platform on an amount the platform owes the user: down. */
export function roundOwedToUser(value: Decimal, decimals: number): Decimal {
  return value.toDecimalPlaces(decimals, Decimal.ROUND_DOWN);
}

/** Rounds towards the platform on an amount the user owes the platform: up. */
export function roundOwedByUser(value: Decimal, decimals: number): Decimal {
  return value.toDecimalPlaces(decimals, Decimal.ROUND_UP);
}

/** Who owes the amount being rounded. */
export type Debtor = 'platform' | 'user';

/** In the platform's favour: what it owes rounds down, what a user owes rounds up (the rule everywhere money moves). */
export function roundTowardsPlatform(value: Decimal, decimals: number, debtor: Debtor): Decimal {
  return debtor === 'platform' ? roundOwedToUser(value, decimals) : roundOwedByUser(value, decimals);
}

/** In the user's favour, the opposite: for figures that promise nothing (a best case shown to a user), never for postings. */
export function roundTowardsUser(value: Decimal, decimals: number, debtor: Debtor): Decimal {
  return value.toDecimalPlaces(decimals, debtor === 'platform' ? Decimal.ROUND_UP : Decimal.ROUND_DOWN);
}
