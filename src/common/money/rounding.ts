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
