import { Injectable } from '@nestjs/common';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import type { Tx } from '../prisma/prisma.service.js';
import { EntryInput, LedgerAccountRef, OverdraftError, PostedTransaction, PostingInput } from './ledger.types.js';

interface LockedAccount {
  id: bigint;
  code: string;
  asset: string;
  normal_side: 'debit' | 'credit';
  no_overdraft: boolean;
  balance: string;
}

const refKey = (ref: { code: string; asset: string }) => `${ref.asset}\u0000${ref.code}`;
/** How `balances` keys its answer: one ledger account. */
export const balanceKey = refKey;

/**
 * The only code that moves value. A posting is one balanced transaction: per asset its
 * entries sum to zero. The accounts it touches are locked in id order (so two postings never
 * deadlock), their cached balances change in the same database transaction, and nothing
 * already written is ever changed (the database refuses it; see the foundation migration).
 *
 * A caller that posts to a customer's accounts (position, debt) holds that customer's account
 * row lock (AccountSnapshotService.lockAccount, or the money functions' money_begin) from before
 * its first ledger lock to its COMMIT. The money functions lock a customer's ledger accounts in
 * id order among the platform's, not before them as `postMany` does; only this rule keeps the
 * two orders from deadlocking (migration 20261211140000_ledger_accounts_locked_by_their_update).
 *
 * The statements here are SQL on purpose: one round trip per step whatever the number of
 * entries, with arrays instead of a statement per row, because every deposit and loan pays
 * this cost.
 */
@Injectable()
export class LedgerService {
  async post(tx: Tx, posting: PostingInput): Promise<PostedTransaction> {
    const [posted] = await this.postMany(tx, [posting]);
    return posted;
  }

  /**
   * Several postings, each its own balanced transaction, in the same few statements whatever
   * their number (a batch of liquidations posts hundreds at once). Balances are checked against
   * overdraft after each posting, in order, as if they had been posted one by one.
   *
   * The platform's own accounts (market cash, interest, fees: touched by every movement of a
   * market) are locked last and held briefly: first the customers' accounts are locked (their
   * owners' account locks, taken before any ledger lock, already keep other writers away), the
   * entries are written (in one statement: the database checks every transaction's balance as
   * that statement ends, see the statement_level_ledger_check migration). Only then `beforePlatformLocks` runs (a caller's own shared locks, e.g. its markets), and the
   * platform accounts are locked in id order, checked and moved.
   */
  async postMany(tx: Tx, postings: PostingInput[], options: { beforePlatformLocks?: () => Promise<void> } = {}): Promise<PostedTransaction[]> {
    if (postings.length === 0) return [];
    for (const posting of postings) assertBalanced(posting.entries);
    const refs = [...new Map(postings.flatMap((p) => p.entries.map((e) => [refKey(e.account), e.account] as const))).values()];
    // An account first touched here is created at the instant of the first posting that touches
    // it: a day's close of many days in one call creates it as that day's own close would.
    const firstAt = new Map<string, Date>();
    for (const posting of postings) for (const entry of posting.entries) if (!firstAt.has(refKey(entry.account))) firstAt.set(refKey(entry.account), posting.at);
    const ids = await this.ensureAccounts(tx, refs, (ref) => firstAt.get(refKey(ref))!);
    const transactionIds = await this.writeEntries(tx, postings, ids);
    await this.move(tx, postings, await this.lock(tx, refs.filter((ref) => ref.accountId)));
    await options.beforePlatformLocks?.();
    await this.move(tx, postings, await this.lock(tx, refs.filter((ref) => !ref.accountId)));
    return transactionIds.map((id) => ({ transactionId: BigInt(id) }));
  }

  /**
   * Moves the cached balances of the locked accounts by the postings' entries, refusing an
   * overdraft as it would appear after any one posting, in order.
   */
  private async move(tx: Tx, postings: PostingInput[], locked: Map<string, LockedAccount>): Promise<void> {
    const running = new Map([...locked].map(([key, account]) => [key, dec(account.balance)]));
    for (const posting of postings) {
      const touched = posting.entries.filter((entry) => locked.has(refKey(entry.account)));
      for (const entry of touched) running.set(refKey(entry.account), running.get(refKey(entry.account))!.plus(entry.amount));
      for (const entry of touched) {
        const account = locked.get(refKey(entry.account))!;
        const after = running.get(refKey(entry.account))!;
        const wrongSide = account.normal_side === 'debit' ? after.isNegative() : after.isPositive();
        if (account.no_overdraft && wrongSide && !after.isZero()) throw new OverdraftError(entry.account, after.toFixed());
      }
    }
    const moved = [...running].filter(([key, balance]) => !balance.eq(locked.get(key)!.balance));
    if (moved.length === 0) return;
    await tx.$executeRaw`
      UPDATE ledger_accounts la SET balance = la.balance + d.delta
      FROM unnest(${moved.map(([key]) => locked.get(key)!.id.toString())}::bigint[],
                  ${moved.map(([key, balance]) => balance.minus(locked.get(key)!.balance).toFixed())}::numeric[]) AS d(id, delta)
      WHERE la.id = d.id`;
  }

  /** Transactions and their entries; returns the transactions' ids, in the postings' order. */
  private async writeEntries(tx: Tx, postings: PostingInput[], accountIds: Map<string, string>): Promise<string[]> {
    // Ids drawn first, so that each entry names its transaction without relying on the order
    // in which a multi-row INSERT returns its rows.
    const ids = (
      await tx.$queryRaw<{ id: bigint }[]>`
        SELECT nextval(pg_get_serial_sequence('ledger_transactions', 'id')) AS id FROM generate_series(1, ${postings.length}::int)`
    ).map((row) => row.id.toString());
    await tx.$executeRaw`
      INSERT INTO ledger_transactions (id, type, description, account_id, reverses, at, metadata)
      SELECT * FROM unnest(${ids}::bigint[], ${postings.map((p) => p.type)}::text[], ${postings.map((p) => p.description ?? null)}::text[],
                           ${postings.map((p) => p.accountId ?? null)}::uuid[], ${postings.map((p) => p.reverses?.toString() ?? null)}::bigint[],
                           ${postings.map((p) => p.at)}::timestamptz[],
                           ${postings.map((p) => (p.metadata ? JSON.stringify(p.metadata) : null))}::jsonb[])`;
    const entries = postings.flatMap((posting, i) => posting.entries.map((entry) => ({ transactionId: ids[i], entry })));
    await tx.$executeRaw`
      INSERT INTO ledger_entries (transaction_id, ledger_account_id, asset, amount)
      SELECT * FROM unnest(
        ${entries.map((e) => e.transactionId)}::bigint[],
        ${entries.map((e) => accountIds.get(refKey(e.entry.account))!)}::bigint[],
        ${entries.map((e) => e.entry.account.asset)}::text[],
        ${entries.map((e) => e.entry.amount.toFixed())}::numeric[])`;
    return ids;
  }

  /**
   * Posts the exact opposite of an earlier transaction. A transaction is reversed at most once
   * (a unique index on `reverses`). Reversing a customer's posting takes that customer's
   * account lock first, as the posting did (see the class's comment).
   */
  async reverse(tx: Tx, transactionId: bigint, at: Date, description: string): Promise<PostedTransaction> {
    const original = await tx.ledgerTransaction.findUniqueOrThrow({
      where: { id: transactionId },
      include: { entries: { include: { ledgerAccount: true } } },
    });
    const entries: EntryInput[] = original.entries.map((entry) => ({
      account: {
        code: entry.ledgerAccount.code,
        asset: entry.ledgerAccount.asset,
        kind: entry.ledgerAccount.kind,
        accountId: entry.ledgerAccount.accountId,
        normalSide: entry.ledgerAccount.normalSide,
        noOverdraft: entry.ledgerAccount.noOverdraft,
      },
      amount: dec(entry.amount).negated(),
    }));
    const posted = await this.post(tx, {
      type: 'reversal',
      at,
      accountId: original.accountId,
      description,
      reverses: transactionId,
      entries,
    });
    return posted;
  }

  /** Current cached balance of one ledger account (zero if it was never touched). */
  async balance(tx: Tx, ref: { code: string; asset: string }): Promise<Decimal> {
    const rows = await tx.$queryRaw<{ balance: string }[]>`
      SELECT balance::text AS balance FROM ledger_accounts WHERE code = ${ref.code} AND asset = ${ref.asset}`;
    return rows.length ? dec(rows[0].balance) : ZERO;
  }

  /**
   * The cached balances of several ledger accounts in one statement (zero for one never
   * touched), keyed by `balanceKey`: the day's close reads every market's accounts at once.
   */
  async balances(tx: Tx, refs: { code: string; asset: string }[]): Promise<Map<string, Decimal>> {
    const rows = await tx.$queryRaw<{ code: string; asset: string; balance: string }[]>`
      SELECT la.code, la.asset, la.balance::text AS balance FROM ledger_accounts la
      JOIN unnest(${refs.map((r) => r.code)}::text[], ${refs.map((r) => r.asset)}::text[]) AS w(code, asset)
        ON la.code = w.code AND la.asset = w.asset`;
    const found = new Map(rows.map((row) => [balanceKey(row), dec(row.balance)]));
    return new Map(refs.map((ref) => [balanceKey(ref), found.get(balanceKey(ref)) ?? ZERO]));
  }

  /**
   * Creates ledger accounts ahead of their first posting (a market's platform accounts, at
   * start-up): a posting that holds a market's lock then never waits on another transaction's
   * insert of the same account while that one waits for the market (a one-off deadlock).
   */
  async open(tx: Tx, refs: LedgerAccountRef[], at: Date): Promise<void> {
    await this.ensureAccounts(tx, refs, () => at);
  }

  /** Creates the ledger accounts never touched before; returns every account's id. */
  private async ensureAccounts(tx: Tx, refs: LedgerAccountRef[], createdAt: (ref: LedgerAccountRef) => Date): Promise<Map<string, string>> {
    const find = async (wanted: LedgerAccountRef[]) =>
      tx.$queryRaw<{ id: bigint; code: string; asset: string }[]>`
        SELECT la.id, la.code, la.asset FROM ledger_accounts la
        JOIN unnest(${wanted.map((r) => r.code)}::text[], ${wanted.map((r) => r.asset)}::text[]) AS w(code, asset)
          ON la.code = w.code AND la.asset = w.asset`;
    const ids = new Map((await find(refs)).map((row) => [refKey(row), row.id.toString()]));
    // Most accounts exist already: only the missing ones are inserted (a conflict, when another
    // transaction creates one first, is harmless).
    const missing = refs.filter((ref) => !ids.has(refKey(ref)));
    if (missing.length === 0) return ids;
    await tx.$executeRaw`
      INSERT INTO ledger_accounts (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
      SELECT * FROM unnest(${missing.map((r) => r.code)}::text[], ${missing.map((r) => r.asset)}::text[], ${missing.map((r) => r.kind)}::text[],
                           ${missing.map((r) => r.accountId ?? null)}::uuid[], ${missing.map((r) => r.normalSide)}::normal_side[],
                           ${missing.map((r) => r.noOverdraft)}::boolean[], ${missing.map(createdAt)}::timestamptz[])
      ON CONFLICT (code, asset) DO NOTHING`;
    for (const row of await find(missing)) ids.set(refKey(row), row.id.toString());
    return ids;
  }

  /**
   * Locks accounts in id order (so two postings never deadlock); their balances as locked.
   * NO KEY UPDATE, the lock a balance update takes anyway (it would not wait for a KEY SHARE
   * lock; the entries' accounts are checked without one, see 20261210110000).
   */
  private async lock(tx: Tx, refs: LedgerAccountRef[]): Promise<Map<string, LockedAccount>> {
    if (refs.length === 0) return new Map();
    const rows = await tx.$queryRaw<LockedAccount[]>`
      SELECT la.id, la.code, la.asset, la.normal_side::text AS normal_side, la.no_overdraft, la.balance::text AS balance
      FROM ledger_accounts la
      JOIN unnest(${refs.map((r) => r.code)}::text[], ${refs.map((r) => r.asset)}::text[]) AS wanted(code, asset)
        ON la.code = wanted.code AND la.asset = wanted.asset
      ORDER BY la.id
      FOR NO KEY UPDATE OF la`;
    return new Map(rows.map((row) => [refKey(row), row]));
  }
}

/** A posting that does not balance is a bug in the caller, never a user error. */
export function assertBalanced(entries: EntryInput[]): void {
  if (entries.length < 2) throw new Error('a posting needs at least two entries');
  const sums = new Map<string, Decimal>();
  for (const entry of entries) {
    if (entry.amount.isZero()) throw new Error(`zero entry for ${entry.account.code}`);
    sums.set(entry.account.asset, (sums.get(entry.account.asset) ?? ZERO).plus(entry.amount));
  }
  for (const [asset, sum] of sums) {
    if (!sum.isZero()) throw new Error(`posting does not balance in ${asset}: ${sum.toFixed()}`);
  }
}
