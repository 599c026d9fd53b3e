import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { loanOutstanding } from '../holdings/loan-outstanding.js';
import { chart } from '../ledger/chart.js';
import type { EntryInput } from '../ledger/ledger.types.js';
import { SCALED_DECIMALS } from '../markets/index-math.js';

/** A loan row as the SQL paths read it (numerics as text). */
export interface LoanRow {
  id: string;
  account_id: string;
  asset: string;
  scaled_debt: string;
  principal: string;
}

/** The ledger entries and state change of paying `amount` off a loan: interest first, then principal. */
export interface Repayment {
  entries: EntryInput[];
  scaledAfter: Decimal;
  principalAfter: Decimal;
  principalPaid: Decimal;
  scaledPaid: Decimal;
}

/**
 * What paying `amount` off a loan does: the accrued interest is paid first (out of the
 * interest receivable), then principal (out of the debt account). The remaining scaled debt
 * is (exact debt − amount) / index, rounded down at the 30th decimal; a full repayment clears
 * it to zero. The entries credit the debt side; the caller debits the source.
 */
export function repaymentOf(row: LoanRow, decimals: number, borrowIndex: Decimal, amount: Decimal): Repayment {
  const scaled = dec(row.scaled_debt);
  const principal = dec(row.principal);
  const outstanding = loanOutstanding(scaled, borrowIndex, decimals);
  const full = amount.gte(outstanding);
  const interestDue = Decimal.max(outstanding.minus(principal), ZERO);
  const interestPaid = Decimal.min(amount, interestDue);
  const principalPaid = full ? principal : Decimal.min(amount.minus(interestPaid), principal);
  // What remains is scaled so that it shows exactly the unit-rounded remainder, as a new loan would.
  const scaledAfter = full ? ZERO : scaled.minus(amount.div(borrowIndex)).toDecimalPlaces(SCALED_DECIMALS, Decimal.ROUND_DOWN);
  const scaledPaid = scaled.minus(scaledAfter);
  const creditedToInterest = amount.minus(principalPaid);
  const entries: EntryInput[] = [];
  if (!principalPaid.isZero()) entries.push({ account: chart.debt(row.account_id, row.asset), amount: principalPaid.negated() });
  if (!creditedToInterest.isZero()) entries.push({ account: chart.interestReceivable(row.asset), amount: creditedToInterest.negated() });
  return { entries, scaledAfter, principalAfter: principal.minus(principalPaid), principalPaid, scaledPaid };
}

