import { describe, expect, it } from '@jest/globals';
import { Decimal, ONE, ZERO, dec } from './decimal.js';
import { AMOUNT_DOC, AMOUNT_PATTERN, PRICE_DECIMALS, checkAmount } from './amount.js';
import { parseAmountOf, parseAssetOnNetwork } from './parse-request.js';
import { requireAsset } from './require-asset.js';
import { DomainError } from '../errors/domain-error.js';
import { roundOwedByUser, roundOwedToUser } from './rounding.js';
import { ASSETS, ASSET_CODES, NETWORK_CODES, findAsset } from './assets.js';

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

describe('amounts and assets from a request', () => {
  it('reads an amount of an asset, or refuses it as a validation failure naming the field', () => {
    const usdc = findAsset('USDC')!;
    expect(parseAmountOf(usdc, '12.345678').toFixed()).toBe('12.345678');
    expect(() => parseAmountOf(usdc, '1.0000001', 'price')).toThrow(expect.objectContaining({ statusCode: 400, code: 'VALIDATION_FAILED' }));
    try {
      parseAmountOf(usdc, '0', 'collateral');
    } catch (error) {
      expect((error as DomainError).details).toEqual({ fields: { collateral: ['collateral must be greater than zero'] } });
    }
    expect.assertions(3);
  });

  it('takes the asset’s first network when none is named, and refuses one it cannot arrive on', () => {
    expect(parseAssetOnNetwork('USDC', undefined)).toEqual({ asset: findAsset('USDC'), network: 'ethereum' });
    expect(parseAssetOnNetwork('USDT', 'tron').network).toBe('tron');
    expect(() => parseAssetOnNetwork('BTC', 'ethereum')).toThrow(
      expect.objectContaining({ statusCode: 400, code: 'UNSUPPORTED_NETWORK', details: { asset: 'BTC', network: 'ethereum', networks: ['bitcoin'] } }),
    );
  });

  it('names the field and cuts what it echoes back to a bounded length', () => {
    expect(() => parseAmountOf(findAsset('BTC')!, 'x')).toThrow(
      expect.objectContaining({ details: { fields: { amount: ['amount must be a plain decimal string such as "1.5"'] } } }),
    );
    const network = 'n'.repeat(45);
    expect(() => parseAssetOnNetwork('BTC', network)).toThrow(
      expect.objectContaining({ message: `BTC cannot arrive on ${'n'.repeat(40)}; use bitcoin`, details: { asset: 'BTC', network: 'n'.repeat(40), networks: ['bitcoin'] } }),
    );
    expect(() => parseAssetOnNetwork('USDT', 'bitcoin')).toThrow('USDT cannot arrive on bitcoin; use ethereum or tron');
    const code = 'X'.repeat(60);
    expect(() => requireAsset(code)).toThrow(expect.objectContaining({ details: { asset: 'X'.repeat(50), assets: ['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB'] } }));
    expect(() => requireAsset(7)).toThrow(expect.objectContaining({ details: { asset: null, assets: ['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB'] } }));
    expect(() => requireAsset(['BTC'])).toThrow(expect.objectContaining({ code: 'UNKNOWN_ASSET' })); // ['BTC'] is not 'BTC'
  });

  it('knows the listed assets by their exact code only', () => {
    expect(requireAsset('ETH').decimals).toBe(18);
    for (const bad of ['eth', 'DOGE', '', 42, null]) {
      expect(() => requireAsset(bad)).toThrow(expect.objectContaining({ statusCode: 400, code: 'UNKNOWN_ASSET' }));
    }
    expect(() => requireAsset('DOGE')).toThrow('Unknown asset; listed assets are BTC, ETH, SOL, USDC, USDT, LAB');
  });

  it('lists each asset with the decimals it is counted in', () => {
    expect(ASSETS.map((a) => [a.code, a.decimals])).toEqual([
      ['BTC', 8],
      ['ETH', 18],
      ['SOL', 9],
      ['USDC', 6],
      ['USDT', 6],
      ['LAB', 8],
    ]);
    expect(ASSET_CODES).toEqual(['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB']);
    expect(Object.fromEntries(ASSETS.map((a) => [a.code, a.networks]))).toEqual({
      BTC: ['bitcoin'],
      ETH: ['ethereum'],
      SOL: ['solana'],
      USDC: ['ethereum', 'solana'],
      USDT: ['ethereum', 'tron'],
      LAB: ['ethereum'],
    });
    expect(findAsset('XRP')).toBeUndefined();
    expect(NETWORK_CODES).toEqual(['bitcoin', 'ethereum', 'solana', 'tron']); // every asset's networks, once each, sorted
    expect(AMOUNT_DOC).toEqual({ pattern: AMOUNT_PATTERN.source, maxLength: 64, description: 'A decimal string greater than 0, with at most the asset’s decimals, below 10^15' });
    expect(PRICE_DECIMALS).toBe(18);
  });

  it('refuses an amount longer than 64 characters, and 10^15 itself', () => {
    const digits64 = `1.${'0'.repeat(62)}`; // 64 characters
    expect(checkAmount(digits64, 62).ok).toBe(true);
    expect(checkAmount(`${digits64}0`, 63)).toMatchObject({ ok: false, problem: 'format' });
    expect(checkAmount('999999999999999.999999', 6).ok).toBe(true);
    expect(checkAmount('1000000000000000', 6)).toMatchObject({ ok: false, problem: 'too_large', message: 'must be below 10^15' });
    expect(checkAmount('1.5', 0)).toMatchObject({ ok: false, problem: 'too_many_decimals', message: 'must have at most 0 decimal places' });
    expect(checkAmount('abc', 6)).toMatchObject({ message: 'must be a plain decimal string such as "1.5"' });
  });

  it('shows decimals exactly: toFixed() without an exponent, toFixed(places) with the asset’s places', () => {
    expect(dec('0.0000000000000000000000000001').toFixed()).toBe('0.0000000000000000000000000001');
    expect(dec('1e20').toFixed()).toBe('100000000000000000000');
    expect(dec('1.5').toFixed(6)).toBe('1.500000');
    expect(dec('1').div(3).toFixed().length).toBe(66); // 64 significant digits: "0." and 64 threes
    expect(ZERO.toFixed()).toBe('0');
    expect(ONE.toFixed()).toBe('1');
    const two = dec('2');
    expect(dec(two)).toBe(two); // a decimal is used as it is, never copied through a string
  });

  it('writes a decimal plainly from 10^-63 up to below 10^64, with an exponent beyond (toExpNeg −64, toExpPos 64)', () => {
    expect(new Decimal('1e-63').toString()).toBe(`0.${'0'.repeat(62)}1`);
    expect(new Decimal('1e-64').toString()).toBe('1e-64');
    expect(new Decimal('1e63').toString()).toBe(`1${'0'.repeat(63)}`);
    expect(new Decimal('1e64').toString()).toBe('1e+64');
  });

  it('rounds intermediate results half-even', () => {
    // 2/3 at 64 significant digits: …6667 (the 65th digit is 6, up); 1/8 rounded to 2 places with the default: 0.12
    expect(dec('2').div(3).toFixed().endsWith('6667')).toBe(true);
    expect(dec('0.125').toDecimalPlaces(2).toFixed()).toBe('0.12');
    expect(dec('0.135').toDecimalPlaces(2).toFixed()).toBe('0.14');
  });
});
