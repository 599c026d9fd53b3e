import { readFileSync } from 'node:fs';
import { Decimal, ONE } from '../common/money/decimal.js';
import { MARKET_DEFAULTS } from '../markets/market-defaults.js';
import { DEFAULT_PRESET, PRESETS, presetNamed, UnknownPresetError } from './index.js';
import { PRESET_ASSETS, type Preset, type Sourced } from './preset.js';

const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** A source names a document or URL and a date ("read 2026-12-01", "as of 2026-12-01", "2022"). */
const DATED = /(read|as of) 20[0-9]{2}-[0-9]{2}-[0-9]{2}/;

/** Every Sourced figure of a preset, with its path, found by walking the object. */
function figures(preset: Preset): [string, Sourced<unknown>][] {
  const found: [string, Sourced<unknown>][] = [];
  const walk = (node: unknown, path: string) => {
    if (node === null || typeof node !== 'object') return;
    if ('value' in node && 'source' in node) {
      found.push([path, node as Sourced<unknown>]);
      return;
    }
    for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
  };
  walk({ assets: preset.assets, platform: preset.platform }, preset.name);
  return found;
}

const d = (f: Sourced) => new Decimal(f.value);

describe.each(Object.values(PRESETS).map((p) => [p.name, p] as const))('preset %s', (_name, preset) => {
  it('covers every sandbox asset', () => {
    expect(Object.keys(preset.assets).sort()).toEqual([...PRESET_ASSETS].sort());
  });

  it('gives every figure a dated source, and every assumption a reason', () => {
    const all = figures(preset);
    expect(all.length).toBeGreaterThan(PRESET_ASSETS.length * 8);
    for (const [path, f] of all) {
      expect({ path, dated: DATED.test(f.source) }).toEqual({ path, dated: true });
      if ('assumption' in f) expect({ path, reason: typeof f.assumption === 'string' && f.assumption.length > 10 }).toEqual({ path, reason: true });
    }
  });

  it('writes every rate and level as a decimal string', () => {
    for (const [path, f] of figures(preset)) {
      const values = Array.isArray(f.value) ? f.value : [f.value];
      for (const v of values) if (typeof v === 'string' && !['daily', 'hourly', 'per-second'].includes(v)) expect({ path, v, ok: DECIMAL.test(v) }).toEqual({ path, v, ok: true });
    }
  });

  it.each(PRESET_ASSETS)('orders %s\u2019s levels: 0 < maxLtv < marginCallLtv \u2264 liquidationLtv < 1, and a sane curve', (asset) => {
    const { risk, curve } = preset.assets[asset];
    expect(d(risk.maxLtv).gt(0)).toBe(true);
    expect(d(risk.maxLtv).lt(d(risk.marginCallLtv))).toBe(true);
    expect(d(risk.marginCallLtv).lte(d(risk.liquidationLtv))).toBe(true);
    expect(d(risk.liquidationLtv).lt(ONE)).toBe(true);
    expect(d(curve.optimalUtilization).gt(0) && d(curve.optimalUtilization).lt(ONE)).toBe(true);
    expect(d(curve.reserveFactor).gte(0) && d(curve.reserveFactor).lt(ONE)).toBe(true);
  });

  it('keeps its liquidation rules workable for its strategy', () => {
    const rules = preset.platform.liquidation;
    for (const asset of PRESET_ASSETS) {
      const liquidationLtv = d(preset.assets[asset].risk.liquidationLtv);
      if (rules.strategy === 'restore') {
        // A sale lowers LTV only while LTV < 1 − fee (rate-and-risk-models.md).
        expect({ asset, below: liquidationLtv.lt(ONE.minus(d(rules.fee))) }).toEqual({ asset, below: true });
      } else if (rules.strategy === 'close-factor') {
        // Aave's configurator refuses threshold × (1 + bonus) > 1: a seizure must be able to lift the health factor.
        expect({ asset, ok: liquidationLtv.times(ONE.plus(d(rules.bonus[asset]))).lte(ONE) }).toEqual({ asset, ok: true });
        expect(d(rules.protocolFeeShare[asset]).gte(0) && d(rules.protocolFeeShare[asset]).lte(ONE)).toBe(true);
      } else {
        const factor = d(rules.liquidationFactor[asset]);
        expect({ asset, ok: factor.gt(0) && factor.lte(ONE) }).toEqual({ asset, ok: true });
      }
    }
    if (rules.strategy === 'close-factor') {
      expect(d(rules.closeFactor).gt(0) && d(rules.closeFactor).lte(ONE)).toBe(true);
      expect(d(rules.fullCloseHealthFactor).lt(ONE)).toBe(true);
    }
    if (rules.strategy === 'absorb') expect(d(rules.storeFrontPriceFactor).gte(0) && d(rules.storeFrontPriceFactor).lte(ONE)).toBe(true);
  });

  it('lists its margin-call warnings ascending, between 0 and 1', () => {
    const levels = preset.platform.marginCallWarnings.value.map((v) => new Decimal(v));
    levels.forEach((l, i) => expect(l.gt(0) && l.lt(ONE) && (i === 0 || l.gt(levels[i - 1]))).toBe(true));
  });

  it('only locks deposits for a whole number of days', () => {
    expect(Number.isInteger(preset.platform.lendingPeriodDays.value) && preset.platform.lendingPeriodDays.value >= 0).toBe(true);
  });
});

describe('the presets', () => {
  it('are lendlab, nexo, backpack-jp, aave-v3 and compound-v3, lendlab the default', () => {
    expect(Object.keys(PRESETS)).toEqual(['lendlab', 'nexo', 'backpack-jp', 'aave-v3', 'compound-v3']);
    expect(DEFAULT_PRESET).toBe('lendlab');
    expect(presetNamed('aave-v3')).toBe(PRESETS['aave-v3']);
  });

  it('refuse an unknown name, listing the known ones', () => {
    expect(() => presetNamed('celsius')).toThrow(UnknownPresetError);
    expect(() => presetNamed('celsius')).toThrow('unknown preset "celsius"; known presets: lendlab, nexo, backpack-jp, aave-v3, compound-v3');
    expect(() => presetNamed('toString')).toThrow(UnknownPresetError);
  });

  it('lendlab is exactly today\u2019s defaults: market parameters, 7-day period, 5 % fee, restore', () => {
    const lendlab = presetNamed('lendlab');
    for (const asset of PRESET_ASSETS) {
      const { curve, risk } = lendlab.assets[asset];
      const plain = Object.fromEntries([...Object.entries(curve), ...Object.entries(risk)].map(([k, f]) => [k, f.value]));
      expect(plain).toEqual({ ...MARKET_DEFAULTS[asset] });
      expect(figures(lendlab).some(([, f]) => 'assumption' in f)).toBe(false);
    }
    expect(lendlab.platform.lendingPeriodDays.value).toBe(7);
    expect(lendlab.platform.liquidation).toMatchObject({ strategy: 'restore', fee: { value: '0.05' } });
    expect(lendlab.platform.accrualPeriod.value).toBe('daily');
  });

  it('lendlab\u2019s period and fee are the settings table\u2019s defaults in the migration', () => {
    const sql = readFileSync('prisma/migrations/20261124000000_foundation/migration.sql', 'utf8');
    const lendlab = presetNamed('lendlab').platform;
    expect(sql).toMatch(new RegExp(`"lending_period_days" INTEGER NOT NULL DEFAULT ${lendlab.lendingPeriodDays.value},`));
    expect(sql).toMatch(new RegExp(`"liquidation_fee" DECIMAL\\(10,8\\) NOT NULL DEFAULT ${lendlab.liquidation.strategy === 'restore' ? lendlab.liquidation.fee.value.replace('.', '\\.') : 'none'},`));
  });

  it('carry the figures the issue names: Nexo\u2019s warnings, Aave\u2019s close factor, Compound\u2019s store front', () => {
    expect(presetNamed('nexo').platform.marginCallWarnings.value).toEqual(['0.714', '0.741', '0.769']);
    expect(presetNamed('nexo').assets.BTC.risk.liquidationLtv.value).toBe('0.833');
    expect(presetNamed('backpack-jp').platform).toMatchObject({ lendingPeriodDays: { value: 7 }, topUpResetsMaturity: { value: true }, wholePositionWithdrawals: { value: true }, accrualPeriod: { value: 'hourly' } });
    expect(presetNamed('aave-v3').platform.liquidation).toMatchObject({ strategy: 'close-factor', closeFactor: { value: '0.5' }, fullCloseHealthFactor: { value: '0.95' } });
    expect(presetNamed('compound-v3').platform.liquidation).toMatchObject({ strategy: 'absorb', storeFrontPriceFactor: { value: '0.5' }, liquidationFactor: { BTC: { value: '0.95' } } });
  });

  it('convert Comet\u2019s USDC curve to LendLab\u2019s shape exactly: slope1 = slopeLow \u00d7 kink, slope2 = slopeHigh \u00d7 (1 \u2212 kink)', () => {
    const { curve } = presetNamed('compound-v3').assets.USDC;
    expect(d(curve.slope1).eq(new Decimal('0.035').times('0.8'))).toBe(true); // 0.028
    expect(d(curve.slope2).eq(new Decimal('0.25').times(ONE.minus('0.8')))).toBe(true); // 0.05
  });
});
