import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dec } from '../common/money/decimal.js';
import { addDays, dataDir, dataSets, daysBetween, isDate, parseHistory, priceHistory, rescale, window } from './price-history.js';
import { pricePoints, replayPoints } from './price-paths.js';

describe('the shipped price history', () => {
  it('is data/btc-usd-daily.csv: one figure per UTC date from 2017-01-01 to 2026-08-22, as the file writes them', () => {
    expect(dataSets()).toContain('btc-usd-daily');
    const btc = priceHistory('btc-usd-daily');
    expect(btc).toMatchObject({ first: '2017-01-01', last: '2026-08-22' });
    expect(btc.closes).toHaveLength(daysBetween('2017-01-01', '2026-08-22') + 1);
    expect(btc.closes.slice(0, 2)).toEqual(['966.3', '997.8']);
    expect(btc.closes.at(-1)).toBe('78293.71');
    // Its source is written down beside it.
    expect(readFileSync(path.join(dataDir(), 'README.md'), 'utf8')).toContain('typedcypher/historical-bitcoin-prices');
  });

  it('refuses a file with a gap, a bad figure or another header, naming the line', () => {
    expect(() => parseHistory('x', 'date,close_usd\n2020-01-01,1\n2020-01-03,2\n')).toThrow('x: line 3: expected 2020-01-02 (one row per date, oldest first), got 2020-01-03');
    expect(() => parseHistory('x', 'date,close_usd\n2020-01-01,1e3\n')).toThrow('x: line 2: expected "YYYY-MM-DD,<price above 0>"');
    expect(() => parseHistory('x', 'date,close_usd\n2020-01-01,0\n')).toThrow('line 2');
    expect(() => parseHistory('x', 'day,price\n2020-01-01,1\n')).toThrow('line 1 must be "date,close_usd"');
    expect(() => priceHistory('no-such-set')).toThrow('no data set "no-such-set"');
  });

  it('knows calendar dates', () => {
    expect(isDate('2020-02-29')).toBe(true);
    expect(isDate('2022-02-29')).toBe(false);
    expect(isDate('2022-13-01')).toBe(false);
    expect(isDate('2022-1-01')).toBe(false);
    expect(addDays('2022-12-31', 1)).toBe('2023-01-01');
    expect(daysBetween('2020-02-28', '2020-03-01')).toBe(2);
  });
});

describe('a window of it', () => {
  const btc = priceHistory('btc-usd-daily');

  it('holds the figures dated from to to, both included', () => {
    expect(window(btc, '2022-11-08', '2022-11-10')).toEqual(['20573.0', '18566.0', '15866.0']);
    expect(window(btc, '2020-03-13', '2020-03-13')).toEqual(['4900.86']);
    expect(window(btc, '2017-01-01', '2017-01-01')).toEqual(['966.3']);
    expect(window(btc, '2026-08-22', '2026-08-22')).toEqual(['78293.71']);
    expect(() => window(btc, '2016-12-31', '2017-01-02')).toThrow('not inside 2017-01-01 to 2026-08-22');
    expect(() => window(btc, '2026-08-22', '2026-08-23')).toThrow('not inside');
    expect(() => window(btc, '2022-11-10', '2022-11-08')).toThrow('not inside');
  });

  it('rescales exactly: close × start ÷ first in decimals, the first exactly the start', () => {
    const real = window(btc, '2022-11-08', '2022-11-10');
    // An exact ratio gives exact figures: twice each.
    expect(rescale(real, '41146')).toEqual(['41146', '37132', '31732']);
    expect(rescale(['3', '1', '2'], '1')).toEqual(['1', '0.3333333333', '0.6666666667']);
    // Start 50000 from 20573: every figure keeps its ratio to the first to 10 significant digits.
    const scaled = rescale(real, '50000');
    expect(scaled[0]).toBe('50000');
    expect(scaled[2]).toBe(dec('15866').times('50000').div('20573').toSignificantDigits(10).toFixed());
    expect(scaled[2]).toBe('38560.24887');
    for (const [i, figure] of scaled.entries()) expect(dec(figure).div('50000').minus(dec(real[i]).div('20573')).abs().lt('1e-9')).toBe(true);
  });

  it('as a price path: day d is the figure dated from + d, rescaled when asked', () => {
    expect(pricePoints('99', { kind: 'replay', data: 'btc-usd-daily', from: '2022-11-08', to: '2022-11-10' })).toEqual([
      { offset: 0, price: '20573.0' },
      { offset: 1, price: '18566.0' },
      { offset: 2, price: '15866.0' },
    ]);
    expect(pricePoints('99', { kind: 'replay', data: 'btc-usd-daily', from: '2022-11-08', to: '2022-11-10', rescaleTo: '41146' }).map((p) => p.price)).toEqual([
      '41146',
      '37132',
      '31732',
    ]);
  });
});

describe('the intraday bridge between two figures', () => {
  const path = { kind: 'replay', data: 'btc-usd-daily', from: '2020-03-11', to: '2020-03-14', intraday: { seed: 7 } } as const;

  it('sets 23 hourly prices between each pair of figures, and the figures themselves exactly', () => {
    const points = replayPoints(path);
    expect(points).toHaveLength(4 + 3 * 23);
    const at = (offset: number, hours: number) => points.find((p) => p.offset === offset && (p.hours ?? 0) === hours)!;
    // Each day's figure at hour 0, exactly as the file writes it: the bridge touches both ends.
    expect([0, 1, 2, 3].map((d) => at(d, 0))).toEqual([
      { offset: 0, price: '7881.1' },
      { offset: 1, price: '7963.84' },
      { offset: 2, price: '4900.86' },
      { offset: 3, price: '5573.4' },
    ]);
    for (let d = 0; d < 3; d += 1) for (let h = 1; h < 24; h += 1) expect(at(d, h)).toMatchObject({ between: true, price: expect.stringMatching(/^[0-9]+(\.[0-9]+)?$/) });
    // In time order, and the hours next to a figure are close to it (the bridge is pinned at both ends).
    expect(points.map((p) => p.offset * 24 + (p.hours ?? 0))).toEqual(Array.from({ length: 73 }, (_, i) => i));
    const near = (a: string, b: string) => Math.abs(Math.log(Number(a) / Number(b)));
    expect(near(at(1, 23).price, '4900.86')).toBeLessThan(0.1);
    expect(near(at(2, 1).price, '4900.86')).toBeLessThan(0.1);
  });

  it('is reproducible: the same seed gives the same path, another seed another, the figures unchanged', () => {
    const first = replayPoints(path);
    expect(replayPoints(path)).toEqual(first);
    const other = replayPoints({ ...path, intraday: { seed: 8 } });
    expect(other).not.toEqual(first);
    expect(other.filter((p) => !p.between)).toEqual(first.filter((p) => !p.between));
  });

  it('with no volatility is a straight line in log price; a volatility a year sets how much it wanders', () => {
    const flat = replayPoints({ ...path, to: '2020-03-12', intraday: { seed: 1, volatility: '0' } });
    const noon = flat.find((p) => p.offset === 0 && p.hours === 12)!;
    expect(Number(noon.price)).toBeCloseTo(Math.sqrt(7881.1 * 7963.84), 3);
    const wild = replayPoints({ ...path, intraday: { seed: 1, volatility: '5' } }).filter((p) => p.between);
    const calm = replayPoints({ ...path, intraday: { seed: 1, volatility: '0.1' } }).filter((p) => p.between);
    const spread = (ps: typeof wild) => Math.max(...ps.map((p) => Number(p.price))) / Math.min(...ps.map((p) => Number(p.price)));
    expect(spread(wild)).toBeGreaterThan(spread(calm));
  });

  it('rescales the figures before bridging them', () => {
    const points = replayPoints({ ...path, rescaleTo: '78811' });
    expect(points.filter((p) => !p.between).map((p) => p.price)).toEqual(['78811', '79638.4', '49008.6', '55734']);
  });
});
