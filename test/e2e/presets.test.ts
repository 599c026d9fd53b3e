import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { PRESETS, presetNamed } from '../../src/presets/index.js';
import type { Preset } from '../../src/presets/preset.js';
import { fig } from '../../src/presets/preset.js';
import { presetWrites } from '../../src/presets/preset-settings.js';
import { PresetsService } from '../../src/presets/presets.service.js';

/** What the API shows of every market's parameters and the settings: what an apply must change, and only that. */
async function rules(app: TestApp) {
  const markets = (await app.admin.get('/v1/markets').expect(200)).body as { asset: string; rateModel: object; risk: object }[];
  const settings = (await app.admin.get('/v1/settings').expect(200)).body;
  return { settings, markets: Object.fromEntries(markets.map((m) => [m.asset, { rateModel: m.rateModel, risk: m.risk }])) };
}

/** The rules a preset's mapping says the engine takes. */
function expected(preset: Preset) {
  const writes = presetWrites(preset);
  return { settings: writes.settings, markets: writes.markets };
}

/** A preset with one asset's figures changed (a preset the engine must refuse, or one that needs an order). */
function variant(base: Preset, change: { fee?: string; labLiquidation?: string }): Preset {
  const lab = base.assets.LAB;
  return {
    ...base,
    name: 'variant',
    assets: { ...base.assets, LAB: change.labLiquidation ? { ...lab, risk: { ...lab.risk, liquidationLtv: fig(change.labLiquidation, 'test, read 2026-12-01') } } : lab },
    platform: { ...base.platform, liquidation: change.fee ? { strategy: 'restore', fee: fig(change.fee, 'test, read 2026-12-01') } : base.platform.liquidation },
  };
}

describe('product presets over HTTP', () => {
  let app: TestApp;
  let userKey: string;

  beforeAll(async () => {
    app = await startTestApp();
    userKey = (await createUser(app, 'pia')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists every preset to any key, each figure with its source', async () => {
    const list = (await app.api(userKey).get('/v1/presets').expect(200)).body;
    expect(list.map((p: { name: string }) => p.name)).toEqual(Object.keys(PRESETS));
    const nexo = (await app.api(userKey).get('/v1/presets/nexo').expect(200)).body;
    expect(nexo.title).toBe(presetNamed('nexo').title);
    expect(nexo.assets.BTC.risk.marginCallLtv).toEqual({ value: '0.714', source: expect.stringContaining('rate-and-risk-models.md') });
    expect(nexo.platform.lendingPeriodDays.assumption).toEqual(expect.any(String));
  });

  it('refuses an unknown name with a code and the known names, and changes nothing', async () => {
    const before = await rules(app);
    for (const request of [app.api(userKey).get('/v1/presets/nope'), app.admin.post('/v1/presets/nope/apply')]) {
      const body = (await request.expect(404)).body;
      expect(body.code).toBe('UNKNOWN_PRESET');
      expect(body.details.presets).toEqual(Object.keys(PRESETS));
    }
    expect(await rules(app)).toEqual(before);
  });

  it('lets only the admin apply one', async () => {
    const before = await rules(app);
    expect((await app.api(userKey).post('/v1/presets/nexo/apply').expect(403)).body.code).toBe('FORBIDDEN');
    expect(await rules(app)).toEqual(before);
  });

  it('writes exactly what the preset says to the markets and settings, and says what it could not', async () => {
    const nexo = (await app.admin.post('/v1/presets/nexo/apply').expect(200)).body;
    expect(nexo.preset).toBe('nexo');
    expect(nexo.applied.join(' ')).toMatch(/warnings at 71\.4 %, 74\.1 %, 76\.9 % LTV/);
    expect(nexo.notApplied).toEqual([]);
    expect(await rules(app)).toMatchObject(expected(presetNamed('nexo')));

    const aave = (await app.admin.post('/v1/presets/aave-v3/apply').expect(200)).body;
    expect(aave.message).toMatch(/^Aave v3 .* applied/);
    expect(aave.notApplied.join(' ')).toMatch(/per-second accrual/);
    const now = await rules(app);
    expect(now).toMatchObject(expected(presetNamed('aave-v3')));
    expect(now.markets.BTC.risk).toMatchObject({ maxLtv: '0.7', marginCallLtv: '0.725', liquidationLtv: '0.75', liquidationBonus: '0.1', protocolFeeShare: '0.1' });
    expect(now.settings).toMatchObject({ liquidationStrategy: 'close-factor', closeFactor: '0.5', loyaltyTiers: false, wholePositionWithdrawals: false });

    await app.admin.post('/v1/presets/lendlab/apply').expect(200);
    expect(await rules(app)).toMatchObject(expected(presetNamed('lendlab')));
  });

  it('applies every preset after every other (each strategy\u2019s level check holds on the way)', async () => {
    const names = Object.keys(PRESETS);
    for (const from of names) {
      for (const to of names) {
        await app.admin.post(`/v1/presets/${from}/apply`).expect(200);
        const applied = await app.admin.post(`/v1/presets/${to}/apply`);
        expect({ from, to, status: applied.status }).toEqual({ from, to, status: 200 });
        expect(await rules(app)).toMatchObject(expected(presetNamed(to)));
      }
    }
    await app.admin.post('/v1/presets/lendlab/apply').expect(200);
  });

  it('orders the writes so that "liquidation level < 1 − fee" holds on the way', async () => {
    // nexo's USDC liquidation level (0.94) is above 1 − 0.08: written fee first, the fee would be refused.
    await app.admin.post('/v1/presets/nexo/apply').expect(200);
    const higherFee = variant(presetNamed('lendlab'), { fee: '0.08' });
    await app.get(PresetsService).apply(higherFee);
    expect(await rules(app)).toMatchObject(expected(higherFee));
    await app.admin.post('/v1/presets/lendlab/apply').expect(200);
  });

  it('changes nothing when an apply fails part way', async () => {
    await app.admin.post('/v1/presets/nexo/apply').expect(200);
    const before = await rules(app);
    // A higher fee (the markets go first) and LAB, the last market written, with a level the markets refuse.
    const broken = variant(presetNamed('aave-v3'), { fee: '0.06', labLiquidation: '0.2' });
    await expect(app.get(PresetsService).apply(broken)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await rules(app)).toEqual(before);
  });
});
