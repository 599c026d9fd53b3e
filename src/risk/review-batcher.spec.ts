import { describe, expect, it } from '@jest/globals';
import { ReviewBatcher } from './review-batcher.js';

describe('ReviewBatcher', () => {
  it('reviews the accounts asked for at the same moment in one call, each getting its own outcome', async () => {
    const calls: string[][] = [];
    const batcher = new ReviewBatcher(async (ids) => {
      calls.push(ids);
      return ids.map((accountId) => ({ accountId, seen: `${accountId}!` }));
    }, 3, 5);
    const outcomes = await Promise.all(['a', 'b', 'c', 'd'].map((id) => batcher.review(id)));
    expect(outcomes.map((o) => o.seen)).toEqual(['a!', 'b!', 'c!', 'd!']);
    expect(calls).toEqual([['a', 'b', 'c'], ['d']]); // three at most; the fourth after the gathering wait
  });

  it('tries a failed batch one account at a time, so that only the account in trouble fails', async () => {
    const calls: string[][] = [];
    const batcher = new ReviewBatcher(async (ids) => {
      calls.push(ids);
      if (ids.includes('bad')) throw new Error('bad account');
      return ids.map((accountId) => ({ accountId }));
    }, 10, 5);
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((id) => batcher.review(id)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('fails a review whose account the batch did not answer for', async () => {
    const batcher = new ReviewBatcher(async () => [], 10, 1);
    await expect(batcher.review('x')).rejects.toThrow('no review outcome for account x');
  });
});
