import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { LoanRow, loanOutstanding } from '../holdings/loan-outstanding.js';
import { chart } from '../ledger/chart.js';
import type { EntryInput, PostingInput } from '../ledger/ledger.types.js';
import { SCALED_DECIMALS } from '../markets/index-math.js';
import { amountExceedsDebt, loanRepaid } from '../common/errors/catalogue.js';

export type { LoanRow } from '../holdings/loan-outstanding.js';

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


/**
 * What a repayment of `requested` ("all": what is outstanding) pays, refused when the loan is
 * already repaid or the amount is more than what is outstanding.
 */
export function plannedRepayment(
  loanId: string,
  row: LoanRow,
  decimals: number,
  borrowIndex: Decimal,
  requested: 'all' | Decimal,
): { amount: Decimal; repayment: Repayment } {
  const outstanding = loanOutstanding(dec(row.scaled_debt), borrowIndex, decimals);
  if (outstanding.isZero()) throw loanRepaid(loanId);
  const amount = requested === 'all' ? outstanding : requested;
  if (amount.gt(outstanding)) {
    throw amountExceedsDebt(row.asset, outstanding, amount, decimals);
  }
  return { amount, repayment: repaymentOf(row, decimals, borrowIndex, amount) };
}

/** A repayment's posting: the funds arrive from outside into the market's cash. `loanId` as the caller named it. */
export function repaymentPosting(loanId: string, row: LoanRow, decimals: number, amount: Decimal, repayment: Repayment, at: Date): PostingInput {
  return {
    type: 'repayment',
    at,
    accountId: row.account_id,
    description: `${amount.toFixed(decimals)} ${row.asset} repaid from outside the platform`,
    metadata: { asset: row.asset, amount: amount.toFixed(decimals), loanId },
    entries: [{ account: chart.marketCash(row.asset), amount }, ...repayment.entries],
  };
}
