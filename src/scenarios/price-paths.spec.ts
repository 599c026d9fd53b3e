import { describe, expect, it } from '@jest/globals';
import { pricePoints } from './price-paths.js';

describe('price paths', () => {
  it('sets a price now, or moves in a straight line ending exactly at the target', () => {
    expect(pricePoints('50000', { kind: 'set', to: '45000' })).toEqual([{ offset: 0, price: '45000' }]);
    expect(pricePoints('50000', { kind: 'linear', to: '30000', days: 4 })).toEqual([
      { offset: 1, price: '45000' },
      { offset: 2, price: '40000' },
      { offset: 3, price: '35000' },
      { offset: 4, price: '30000' },
    ]);
    expect(pricePoints('1', { kind: 'linear', to: '2', days: 3 }).map((p) => p.price)).toEqual(['1.333333333', '1.666666667', '2']);
  });

  it('walks randomly but reproducibly: the same seed gives the same path, another seed another', () => {
    const walk = (seed: number) => pricePoints('50000', { kind: 'gbm', days: 30, drift: '0', volatility: '0.8', seed });
    const path = walk(42);
    expect(path).toHaveLength(30);
    expect(walk(42)).toEqual(path);
    expect(walk(43)).not.toEqual(path);
    for (const point of path) expect(point.price).toMatch(/^[0-9]+(\.[0-9]+)?$/);
    // Daily moves of a 80 %-a-year volatility: a few percent, never a jump to zero or infinity.
    const moves = path.map((p, i) => Number(p.price) / Number(i === 0 ? '50000' : path[i - 1].price));
    for (const move of moves) expect(move > 0.7 && move < 1.4).toBe(true);
  });

  it('with no volatility follows the drift exactly: 10 % a year, compounded daily', () => {
    const last = pricePoints('100', { kind: 'gbm', days: 365, drift: '0.1', volatility: '0', seed: 1 }).at(-1)!;
    expect(Number(last.price)).toBeCloseTo(100 * Math.exp(0.1), 5);
  });
});
