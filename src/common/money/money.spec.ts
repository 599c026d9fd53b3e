import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from './decimal.js';
import { checkAmount } from './amount.js';
import { roundOwedByUser, roundOwedToUser, roundTowardsPlatform, roundTowardsUser } from './rounding.js';
import { findAsset } from './assets.js';

describe('money precision', () => {
  it('keeps the fraction of an amount that the 20-digit default would lose', () => {
    const large = dec('12345678901234567890.12');
    expect(large.plus('0.01').toFixed()).toBe('12345678901234567890.13');
  });

  it('multiplies an 18-decimal amount by a 30-decimal index exactly', () => {
    const product = dec('999999999999999.999999999999999999').times('1.000000000000000000000000000001');
    // a × (1 + 10^-30) = a + a × 10^-30, 63 significant digits (checked with Python's decimal at 100 digits)
    expect(product.toFixed()).toBe('1000000000000000.000000000000000998999999999999999999999999999999');
  });

  it('never goes through a JavaScript number', () => {
    expect(() => dec({ toString: () => '0.1' })).not.toThrow();
    expect(dec('0.1').plus('0.2').toFixed()).toBe('0.3');
  });
});

describe('amount grammar', () => {
  const btc = findAsset('BTC')!.decimals;

  it.each(['1', '1.5', '0.00000001', '999999999999999.99999999', '0.10000000'])('accepts %s', (raw) => {
    const result = checkAmount(raw, btc);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.eq(new Decimal(raw))).toBe(true);
  });

  it.each([
    ['0', 'not_positive'],
    ['0.0', 'not_positive'],
    ['-1', 'format'],
    ['+1', 'format'],
    ['1e3', 'format'],
    ['01', 'format'],
    ['1.', 'format'],
    ['.5', 'format'],
    [' 1', 'format'],
    ['NaN', 'format'],
    ['Infinity', 'format'],
    ['0x10', 'format'],
    ['1,5', 'format'],
    ['', 'format'],
    ['0.000000001', 'too_many_decimals'],
    ['1.000000000', 'too_many_decimals'],
    ['1000000000000000', 'too_large'],
    ['1000000000000000.5', 'too_large'],
  ])('refuses %s (%s)', (raw, problem) => {
    const result = checkAmount(raw, btc);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem).toBe(problem);
  });

  it.each([[1.5], [null], [undefined], [{}], [['1']], [true]])('refuses the non-string %p', (raw) => {
    expect(checkAmount(raw, btc).ok).toBe(false);
  });

  it('counts decimals per asset: 6 for USDC, 18 for ETH', () => {
    expect(checkAmount('1.0000001', findAsset('USDC')!.decimals).ok).toBe(false);
    expect(checkAmount('1.000001', findAsset('USDC')!.decimals).ok).toBe(true);
    expect(checkAmount('0.000000000000000001', findAsset('ETH')!.decimals).ok).toBe(true);
    expect(checkAmount('0.0000000000000000001', findAsset('ETH')!.decimals).ok).toBe(false);
  });
});

describe('rounding towards the platform', () => {
  it('rounds what the platform owes down and what a user owes up', () => {
    const exact = dec('1.234567891');
    expect(roundOwedToUser(exact, 8).toFixed()).toBe('1.23456789');
    expect(roundOwedByUser(exact, 8).toFixed(8)).toBe('1.23456790');
  });

  it('leaves an already exact amount alone either way', () => {
    expect(roundOwedToUser(dec('2.5'), 6).toFixed(6)).toBe('2.500000');
    expect(roundOwedByUser(dec('2.5'), 6).toFixed(6)).toBe('2.500000');
  });

  it('the two roundings of one figure differ by at most one unit and bracket it', () => {
    for (const raw of ['0.000000001', '7.99999999999', '123.4567890123']) {
      const value = dec(raw);
      const down = roundOwedToUser(value, 8);
      const up = roundOwedByUser(value, 8);
      expect(down.lte(value) && up.gte(value)).toBe(true);
      expect(up.minus(down).lte('0.00000001')).toBe(true);
    }
  });
});

describe('rounding by who is favoured', () => {
  const exact = dec('2.000000015');
  it('favours the platform: it owes less, it is owed more', () => {
    expect(roundTowardsPlatform(exact, 8, 'platform').toFixed(8)).toBe('2.00000001');
    expect(roundTowardsPlatform(exact, 8, 'user').toFixed(8)).toBe('2.00000002');
  });
  it('favours the user the other way round', () => {
    expect(roundTowardsUser(exact, 8, 'platform').toFixed(8)).toBe('2.00000002');
    expect(roundTowardsUser(exact, 8, 'user').toFixed(8)).toBe('2.00000001');
  });
});
