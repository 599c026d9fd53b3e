import fc from 'fast-check';
import { dec } from '../../src/common/money/decimal.js';

/**
 * Amounts for the model-based tests: mostly a few decimals of a typical size (1 % to 300 % of
 * it), sometimes any number of units at the asset's full precision.
 */
export const anAmountOf = (size: number, decimals: number, fewWeight: number) =>
  fc.oneof(
    { weight: fewWeight, arbitrary: fc.integer({ min: 1, max: 300 }).map((n) => dec(size).times(n).div(100).toFixed()) },
    {
      weight: 1,
      arbitrary: fc
        .bigInt({ min: 1n, max: BigInt(size * 3) * 10n ** BigInt(decimals) })
        .map((units) => dec(units.toString()).div(dec(10).pow(decimals)).toFixed()),
    },
  );
