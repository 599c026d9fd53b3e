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

/**
 * The only code that moves value. A posting is one balanced transaction: per asset its
 * entries sum to zero. The accounts it touches are locked in id order (so two postings never
 * deadlock), their cached balances change in the same database transaction, and nothing
 * already written is ever changed (the database refuses it; see the foundation migration).
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
   */
  async postMany(tx: Tx, postings: PostingInput[]): Promise<PostedTransaction[]> {
    if (postings.length === 0) return [];
    for (const posting of postings) assertBalanced(posting.entries);
    const accounts = await this.lockAccounts(
      tx,
      postings.flatMap((p) => p.entries.map((e) => e.account)),
      postings[0].at,
    );
    const running = new Map([...accounts].map(([key, account]) => [key, dec(account.balance)]));
    for (const posting of postings) {
      for (const entry of posting.entries) {
        const key = refKey(entry.account);
        running.set(key, running.get(key)!.plus(entry.amount));
      }
      for (const entry of posting.entries) {
        const account = accounts.get(refKey(entry.account))!;
        const after = running.get(refKey(entry.account))!;
        const wrongSide = account.normal_side === 'debit' ? after.isNegative() : after.isPositive();
        if (account.no_overdraft && wrongSide && !after.isZero()) throw new OverdraftError(entry.account, after.toFixed());
      }
    }
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
        ${entries.map((e) => accounts.get(refKey(e.entry.account))!.id.toString())}::bigint[],
        ${entries.map((e) => e.entry.account.asset)}::text[],
        ${entries.map((e) => e.entry.amount.toFixed())}::numeric[])`;
    const moved = [...running].filter(([key, balance]) => !balance.eq(accounts.get(key)!.balance));
    await tx.$executeRaw`
      UPDATE ledger_accounts la SET balance = la.balance + d.delta
      FROM unnest(${moved.map(([key]) => accounts.get(key)!.id.toString())}::bigint[],
                  ${moved.map(([key, balance]) => balance.minus(accounts.get(key)!.balance).toFixed())}::numeric[]) AS d(id, delta)
      WHERE la.id = d.id`;
    return ids.map((id) => ({ transactionId: BigInt(id) }));
  }

  /**
   * Posts the exact opposite of an earlier transaction. A transaction is reversed at most once
   * (a unique index on `reverses`).
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

  private async lockAccounts(tx: Tx, refs: LedgerAccountRef[], at: Date): Promise<Map<string, LockedAccount>> {
    const unique = [...new Map(refs.map((ref) => [refKey(ref), ref])).values()].sort((a, b) =>
      refKey(a) < refKey(b) ? -1 : 1,
    );
    const codes = unique.map((r) => r.code);
    const assets = unique.map((r) => r.asset);
    await tx.$executeRaw`
      INSERT INTO ledger_accounts (code, asset, kind, account_id, normal_side, no_overdraft, created_at)
      SELECT * FROM unnest(${codes}::text[], ${assets}::text[], ${unique.map((r) => r.kind)}::text[],
                           ${unique.map((r) => r.accountId ?? null)}::uuid[], ${unique.map((r) => r.normalSide)}::normal_side[],
                           ${unique.map((r) => r.noOverdraft)}::boolean[], ${unique.map(() => at)}::timestamptz[])
      ON CONFLICT (code, asset) DO NOTHING`;
    const rows = await tx.$queryRaw<LockedAccount[]>`
      SELECT la.id, la.code, la.asset, la.normal_side::text AS normal_side, la.no_overdraft, la.balance::text AS balance
      FROM ledger_accounts la
      JOIN unnest(${codes}::text[], ${assets}::text[]) AS wanted(code, asset)
        ON la.code = wanted.code AND la.asset = wanted.asset
      ORDER BY la.id
      FOR UPDATE OF la`;
    return new Map(rows.map((row) => [refKey(row), row]));
  }
}

/** A posting that does not balance is a bug in the caller, never a user error. */
function assertBalanced(entries: EntryInput[]): void {
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
