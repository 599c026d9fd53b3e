import { assertBalanced } from './ledger.service.js';
import type { EntryInput } from './ledger.types.js';
import type { SqlValue } from '../common/sql/sql-call.js';

/**
 * A posting's entries as the arrays the ledger_post / ledger_record SQL functions take (one element per entry,
 * in order): codes, assets, kinds, owners, normal sides, no-overdraft flags, amounts. Checked
 * for balance here first, as LedgerService.post checks, so a bug fails before the database.
 */
export function postingArrays(entries: EntryInput[]): unknown[] {
  assertBalanced(entries);
  return [
    entries.map((e) => e.account.code),
    entries.map((e) => e.account.asset),
    entries.map((e) => e.account.kind),
    entries.map((e) => e.account.accountId ?? null),
    entries.map((e) => e.account.normalSide),
    entries.map((e) => e.account.noOverdraft),
    entries.map((e) => e.amount.toFixed()),
  ];
}

/** The same arrays as typed arguments of a money function's call (common/sql/sql-call.ts). */
export function postingArgs(entries: EntryInput[]): [type: string, value: SqlValue][] {
  const [codes, assets, kinds, owners, sides, noOverdraft, amounts] = postingArrays(entries) as SqlValue[];
  return [['text[]', codes], ['text[]', assets], ['text[]', kinds], ['uuid[]', owners], ['normal_side[]', sides], ['boolean[]', noOverdraft], ['numeric[]', amounts]];
}
