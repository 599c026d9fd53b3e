import { describe, expect, it } from '@jest/globals';
import { chunkAccounts, chunkJobId, reviewChunk } from './review-chunk.js';

describe('chunkAccounts', () => {
  it('splits the sorted accounts into consecutive ranges of at most the size', () => {
    expect(chunkAccounts(['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(chunkAccounts([], 2)).toEqual([]);
  });
});

describe('chunkJobId', () => {
  it('is the same for the same sweep and range, and differs when the range does', () => {
    expect(chunkJobId('price-1', ['a', 'b'])).toBe(chunkJobId('price-1', ['a', 'b']));
    expect(chunkJobId('price-1', ['a', 'b'])).not.toBe(chunkJobId('price-1', ['a', 'c']));
    expect(chunkJobId('price-1', ['a', 'b'])).not.toBe(chunkJobId('price-2', ['a', 'b']));
    expect(chunkJobId('price-1', ['a', 'b'])).not.toContain(':'); // BullMQ refuses ':' in a custom id
  });
});

describe('reviewChunk', () => {
  it('reviews the whole chunk in one call', async () => {
    const calls: string[][] = [];
    const review = await reviewChunk(['a', 'b', 'c'], async (ids) => {
      calls.push(ids);
      return ids.map((accountId) => ({ accountId }));
    });
    expect(review).toEqual({ outcomes: [{ accountId: 'a' }, { accountId: 'b' }, { accountId: 'c' }], failed: [] });
    expect(calls).toEqual([['a', 'b', 'c']]);
  });

  it('tries a failed chunk one account at a time, so that only the account in trouble fails', async () => {
    const calls: string[][] = [];
    const review = await reviewChunk(['a', 'bad', 'c'], async (ids) => {
      calls.push(ids);
      if (ids.includes('bad')) throw new Error('bad account');
      return ids.map((accountId) => ({ accountId }));
    });
    expect(review.outcomes).toEqual([{ accountId: 'a' }, { accountId: 'c' }]);
    expect(review.failed.map((f) => [f.accountId, String(f.error)])).toEqual([['bad', 'Error: bad account']]);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('fails a lone account that fails at once, without trying it again', async () => {
    const calls: string[][] = [];
    const review = await reviewChunk(['x'], async (ids) => {
      calls.push(ids);
      throw new Error('down');
    });
    expect(review.failed.map((f) => f.accountId)).toEqual(['x']);
    expect(calls).toEqual([['x']]);
  });
});
