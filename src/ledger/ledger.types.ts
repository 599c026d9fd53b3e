import type { Decimal } from '../common/money/decimal.js';

/**
 * A ledger account, named by a stable code and its asset. It is created the first time a
 * posting touches it. `normalSide` is the side its balance naturally sits on (assets of the
 * platform: debit; what it owes: credit); `noOverdraft` forbids the other side.
 */
export interface LedgerAccountRef {
  code: string;
  asset: string;
  kind: string;
  accountId?: string | null;
  normalSide: 'debit' | 'credit';
  noOverdraft: boolean;
}

/** One line of a posting: a positive amount is a debit, a negative one a credit. */
export interface EntryInput {
  account: LedgerAccountRef;
  amount: Decimal;
}

export interface PostingInput {
  type: string;
  at: Date;
  /** The customer account the posting belongs to, for its statement. */
  accountId?: string | null;
  description?: string;
  metadata?: Record<string, unknown>;
  /** The transaction this one undoes. */
  reverses?: bigint;
  entries: EntryInput[];
}

export interface PostedTransaction {
  transactionId: bigint;
}

/** A posting that would take a no-overdraft account past zero. Nothing was written. */
export class OverdraftError extends Error {
  constructor(
    readonly account: LedgerAccountRef,
    readonly balanceAfter: string,
  ) {
    super(`ledger account ${account.code} (${account.asset}) would be overdrawn: ${balanceAfter}`);
    this.name = 'OverdraftError';
  }
}
