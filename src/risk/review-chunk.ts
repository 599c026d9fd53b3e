import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';

const logger = new Logger('risk');

/** What reviewing a chunk of accounts came to: each account's outcome, and the accounts that failed alone. */
export interface ChunkReview<R> {
  outcomes: R[];
  failed: { accountId: string; error: unknown }[];
}

/**
 * Splits the accounts a sweep found (sorted) into ranges of at most `size`: each range is one
 * review job and one database transaction. Ranges of the sorted ids, so that two workers
 * reviewing two ranges at once never want the same account row: they meet only at the few
 * shared rows every liquidation writes last (the markets and the platform's ledger accounts).
 */
export function chunkAccounts(sortedIds: string[], size: number): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < sortedIds.length; start += size) chunks.push(sortedIds.slice(start, start + size));
  return chunks;
}

/**
 * A review job's id: the sweep, its range's first account, and a digest of the whole range.
 * A repeat of the sweep that finds the same range adds nothing; one that finds a different
 * range (a sweep retried after some accounts changed) adds a job of its own, which reviews its
 * accounts again: harmless, as a review does only what is left (the account row lock).
 */
export function chunkJobId(trigger: string, chunk: string[]): string {
  const digest = createHash('sha1').update(chunk.join(',')).digest('hex').slice(0, 16);
  return `review-${trigger}-${chunk[0]}-${chunk.length}-${digest}`;
}

/**
 * Reviews a chunk in one call (one transaction); if that fails, account by account, so that
 * one account in trouble cannot hold back the others: those that fail alone are returned for
 * the job to try again (BullMQ's retries), the rest are done.
 */
export async function reviewChunk<R>(accountIds: string[], reviewMany: (ids: string[]) => Promise<R[]>): Promise<ChunkReview<R>> {
  try {
    return { outcomes: await reviewMany(accountIds), failed: [] };
  } catch (error) {
    if (accountIds.length === 1) return { outcomes: [], failed: [{ accountId: accountIds[0], error }] };
    logger.warn(`a chunk of ${accountIds.length} reviews failed (${String(error)}); reviewing them one by one`);
  }
  const review: ChunkReview<R> = { outcomes: [], failed: [] };
  for (const accountId of accountIds) {
    try {
      review.outcomes.push(...(await reviewMany([accountId])));
    } catch (error) {
      review.failed.push({ accountId, error });
    }
  }
  return review;
}
