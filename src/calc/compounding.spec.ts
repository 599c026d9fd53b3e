import { describe, expect, it } from '@jest/globals';
import { dec } from '../common/money/decimal.js';
import { NAMED_FREQUENCIES, aprFromApy, apyFromApr, growth, parseCompounding, realRate, showRate } from './compounding.js';

// Expected figures computed independently with Python's decimal module at 60 digits:
//   (1 + 0.1/n)**n - 1, and exp(0.1) - 1 for continuous.
const APY_OF_10_PERCENT: [string, string][] = [
  ['annual', '0.1'],
  ['semiannual', '0.1025'],
  ['quarterly', '0.103812890625'],
  ['monthly', '0.104713067441297241590572635297'],
  ['daily', '0.105155781616264373938011596680'],
  ['hourly', '0.105170287275309718260594309197'],
  ['continuous', '0.105170918075647624811707826490'],
];

const close = (actual: string, expected: string, digits = 14) =>
  expect(dec(actual).minus(expected).abs().lte(dec(10).pow(-digits))).toBe(true);

describe('APR and APY', () => {
  it.each(APY_OF_10_PERCENT)('APR 10%% compounded %s is APY %s', (name, expected) => {
    const apy = apyFromApr(dec('0.1'), parseCompounding(name)!.periodsPerYear);
    close(apy.toFixed(), expected, 28);
  });

  it('round-trips APR → APY → APR for every frequency', () => {
    for (const name of ['annual', 'quarterly', 'monthly', 'weekly', 'daily', 'hourly', 'continuous', '7', '1000000']) {
      const n = parseCompounding(name)!.periodsPerYear;
      for (const apr of ['0', '0.0001', '0.1', '1.5', '100']) {
        close(aprFromApy(apyFromApr(dec(apr), n), n).toFixed(), apr, 40);
      }
    }
  });

  it('reads the contract example: APY 0.1051557816 daily is APR ≈ 0.1', () => {
    close(aprFromApy(dec('0.1051557816'), 365).toFixed(), '0.1', 9);
  });

  it('grows a principal by compounding, 0 days changing nothing', () => {
    close(growth(dec('1000'), dec('0.1'), 365, 365).toFixed(), '1105.155781616264373938011596680544', 25);
    close(growth(dec('1000'), dec('0.1'), null, 365).toFixed(), '1105.170918075648', 11);
    expect(growth(dec('1000'), dec('0.1'), 12, 0).toFixed()).toBe('1000');
  });

  it('gives the exact and approximate real rate', () => {
    const { exact, approximate } = realRate(dec('0.06'), dec('0.04'));
    // 1.06 / 1.04 − 1 = 0.019230769230769... (repeating 230769)
    expect(exact.toFixed(18)).toBe('0.019230769230769231');
    expect(approximate.toFixed()).toBe('0.02');
    expect(realRate(dec('0.03'), dec('-0.01')).exact.toFixed(18)).toBe('0.040404040404040404');
  });

  it('knows the frequencies and refuses others', () => {
    expect(parseCompounding('daily')).toEqual({ name: 'daily', periodsPerYear: 365 });
    expect(parseCompounding('12')).toEqual({ name: '12', periodsPerYear: 12 });
    for (const bad of ['0', '1000001', '1.5', 'Daily', '', '-1', '01', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) expect(parseCompounding(bad)).toBeUndefined();
  });

  it('names the usual frequencies by their periods per year', () => {
    expect(NAMED_FREQUENCIES).toEqual({ annual: 1, semiannual: 2, quarterly: 4, monthly: 12, weekly: 52, daily: 365, hourly: 8760 });
    expect(parseCompounding('continuous')).toEqual({ name: 'continuous', periodsPerYear: null });
    expect(parseCompounding('1')).toEqual({ name: '1', periodsPerYear: 1 });
    expect(parseCompounding('1000000')).toEqual({ name: '1000000', periodsPerYear: 1000000 });
  });

  it('grows over part of a year: P × (1 + APR/n)^(n × days/365)', () => {
    // 1000 at 10 % compounded annually for 73 days (a fifth of a year): 1000 × 1.1^0.2 = 1019.244876...
    close(growth(dec('1000'), dec('0.1'), 1, 73).toFixed(), '1019.244876491456620652066601613', 24);
    // continuously for 73 days: 1000 × e^(0.1 × 0.2) = 1000 × e^0.02 = 1020.201340026755810...
    close(growth(dec('1000'), dec('0.1'), null, 73).toFixed(), '1020.201340026755810160143920483', 24);
  });

  it('shows a rate with 30 significant digits, plainly', () => {
    expect(showRate(dec(1).div(3))).toBe('0.333333333333333333333333333333'); // 30 threes
    expect(showRate(dec(2).div(3))).toBe('0.666666666666666666666666666667');
    expect(showRate(dec('0.05'))).toBe('0.05');
    expect(showRate(dec('123456789.123456789123456789123456789'))).toBe('123456789.123456789123456789123');
    expect(showRate(dec('1e-40'))).toBe('0.0000000000000000000000000000000000000001');
  });
});
