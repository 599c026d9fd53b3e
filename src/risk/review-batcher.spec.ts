import { afterEach, describe, expect, it, jest } from '@jest/globals';
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

  describe('timing (fake timers)', () => {
    afterEach(() => {
      jest.useRealTimers();
    });
    const recording = () => {
      const calls: string[][] = [];
      const batcher = new ReviewBatcher(async (ids) => {
        calls.push(ids);
        return ids.map((accountId) => ({ accountId }));
      }, 3, 1000);
      return { calls, batcher };
    };

    it('sends a full batch at once, without waiting for the gathering time', () => {
      jest.useFakeTimers();
      const { calls, batcher } = recording();
      void batcher.review('a');
      void batcher.review('b');
      expect(calls).toEqual([]); // two of three: still gathering
      void batcher.review('c');
      expect(calls).toEqual([['a', 'b', 'c']]);
    });

    it('starts the gathering time again with the first review after a batch went', async () => {
      jest.useFakeTimers();
      const { calls, batcher } = recording();
      for (const id of ['a', 'b', 'c']) void batcher.review(id); // at 0: sent at once
      await jest.advanceTimersByTimeAsync(900);
      const d = batcher.review('d'); // at 900: gathered until 1900, not until the first batch's 1000
      await jest.advanceTimersByTimeAsync(200);
      expect(calls).toEqual([['a', 'b', 'c']]);
      await jest.advanceTimersByTimeAsync(800);
      expect(calls).toEqual([['a', 'b', 'c'], ['d']]);
      await expect(d).resolves.toEqual({ accountId: 'd' });
    });
  });

  it('fails a lone review that fails at once, without trying it again', async () => {
    const calls: string[][] = [];
    const batcher = new ReviewBatcher<{ accountId: string }>(async (ids) => {
      calls.push(ids);
      throw new Error('down');
    }, 10, 1);
    await expect(batcher.review('x')).rejects.toThrow('down');
    expect(calls).toEqual([['x']]);
  });
});
