import type { Decimal } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';

/**
 * What a loan's holder owes at `borrowIndex`: scaled debt × index, rounded up to the asset's
 * unit (the user owes it, so the fraction goes to the platform; see rounding.ts). The one
 * place this is written: loans, repayments, snapshots and liquidations all show the same debt.
 */
export function loanOutstanding(scaledDebt: Decimal, borrowIndex: Decimal, decimals: number): Decimal {
  return roundOwedByUser(scaledDebt.times(borrowIndex), decimals);
}

/** A loan row as the SQL paths read it (numerics as text). */
export interface LoanRow {
  id: string;
  account_id: string;
  asset: string;
  scaled_debt: string;
  principal: string;
}
