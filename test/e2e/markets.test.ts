import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { dec } from '../../src/common/money/decimal.js';

describe('markets and calculators', () => {
  let app: TestApp;
  let key: string;

  beforeAll(async () => {
    app = await startTestApp();
    key = (await createUser(app, 'gina')).apiKey;
  });
  afterAll(async () => {
    await app?.close();
  });

  it('lists every market with its defaults, APR beside APY', async () => {
    const markets = (await app.api(key).get('/v1/markets').expect(200)).body;
    expect(markets.map((m: { asset: string }) => m.asset)).toEqual(['BTC', 'ETH', 'LAB', 'SOL', 'USDC', 'USDT']);
    const lab = markets.find((m: { asset: string }) => m.asset === 'LAB');
    expect(lab).toMatchObject({
      decimals: 8,
      utilization: '0',
      borrowApr: '0.02',
      supplyApr: '0',
      supplyIndex: '1',
      borrowIndex: '1',
      rateModel: { baseRate: '0.02', optimalUtilization: '0.4', slope1: '0.07', slope2: '3', reserveFactor: '0.35' },
      risk: { maxLtv: '0.15', marginCallLtv: '0.3', liquidationLtv: '0.4' },
    });
    // (1 + 0.02/365)^365 − 1, by Python's decimal at 50 digits
    expect(dec(lab.borrowApy).minus('0.0202007810328958415959519998427').abs().lt('1e-28')).toBe(true);
    const sol = markets.find((m: { asset: string }) => m.asset === 'SOL');
    expect(sol.rateModel.reserveFactor).toBe('0.25');
    expect(sol.risk).toEqual({ maxLtv: '0.4', marginCallLtv: '0.6', liquidationLtv: '0.75', liquidationBonus: '0.05', protocolFeeShare: '0.1', liquidationFactor: '0.95' });
  });

  it('draws the rate curve from the kinked formula', async () => {
    const curve = (await app.api(key).get('/v1/markets/USDC/rate-curve?points=5').expect(200)).body;
    // USDC: base 0, Uopt 0.9, slope1 0.055, slope2 0.6, rf 0.1
    expect(curve.map((p: { utilization: string }) => p.utilization)).toEqual(['0', '0.25', '0.5', '0.75', '1']);
    const expected = ['0', '0.015277777777777777777777777778', '0.030555555555555555555555555556', '0.045833333333333333333333333333', '0.655'];
    expect(curve.map((p: { borrowApr: string }) => p.borrowApr)).toEqual(expected);
    for (const point of curve) {
      const supply = dec(point.borrowApr).times(point.utilization).times('0.9');
      expect(dec(point.supplyApr).minus(supply).abs().lte('1e-30')).toBe(true);
    }
    expect((await app.api(key).get('/v1/markets/USDC/rate-curve?points=1').expect(400)).body.code).toBe('VALIDATION_FAILED');
    expect((await app.api(key).get('/v1/markets/XYZ/rate-curve').expect(400)).body.code).toBe('UNKNOWN_ASSET');
  });

  it('lets the admin change parameters within their rules', async () => {
    const updated = await app.admin.put('/v1/markets/ETH').send({ rateModel: { slope1: '0.06' }, risk: { maxLtv: '0.45' } }).expect(200);
    expect(updated.body.rateModel.slope1).toBe('0.06');
    expect(updated.body.risk.maxLtv).toBe('0.45');
    for (const body of [
      { rateModel: { slope1: '4' } },
      { rateModel: { optimalUtilization: '1' } },
      { rateModel: { reserveFactor: '1' } },
      { rateModel: { baseRate: '-0.1' } },
      { rateModel: { slope1: 0.05 } },
      { risk: { maxLtv: '0.8' } },
      { risk: { liquidationLtv: '0.96' } },
      { risk: { colour: 'red' } },
      { rates: {} },
    ]) {
      const response = await app.admin.put('/v1/markets/ETH').send(body).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    }
    expect((await app.api(key).put('/v1/markets/ETH').send({ risk: { maxLtv: '0.4' } }).expect(403)).body.code).toBe('FORBIDDEN');
    expect((await app.api(key).get('/v1/markets/ETH').expect(200)).body.risk.maxLtv).toBe('0.45');
  });

  it('keeps a history row per accrued day', async () => {
    await app.admin.post('/v1/clock/advance').send({ days: 3 }).expect(200);
    const history = (await app.api(key).get('/v1/markets/LAB/history').expect(200)).body;
    expect(history).toEqual(
      ['2026-01-01', '2026-01-02', '2026-01-03'].map((date) => ({
        date,
        utilization: '0',
        borrowApr: '0.02',
        supplyApr: '0',
        supplyIndex: '1',
        borrowIndex: expect.any(String),
        // The market at the day's 00:00 as GET /v1/markets showed it; the first day has no day before it.
        ...(date !== '2026-01-01' && { afterDayStart: { utilization: '0', totalSupplied: '0.00000000', totalBorrowed: '0.00000000' } }),
      })),
    );
    // Nobody borrows, yet the borrow index grows at 2% a day-compounded year: 1 × (1 + 0.02/365)^3.
    expect(dec(history[2].borrowIndex).toFixed(30)).toBe(dec('1').plus(dec('0.02').div(365)).pow(3).toFixed(30));
    const window = (await app.api(key).get('/v1/markets/LAB/history?from=2026-01-02&to=2026-01-02').expect(200)).body;
    expect(window.map((row: { date: string }) => row.date)).toEqual(['2026-01-02']);
    expect((await app.api(key).get('/v1/markets/LAB/history?from=2026-1-2').expect(400)).body.code).toBe('VALIDATION_FAILED');
  });

  describe('calculators', () => {
    it('converts APR and APY both ways', async () => {
      const apy = (await app.api(key).get('/v1/calc/apy?apr=0.1&compounding=daily').expect(200)).body;
      expect(apy).toEqual({ apr: '0.1', compounding: 'daily', periodsPerYear: 365, apy: expect.stringMatching(/^0\.10515578161626437/) });
      const continuous = (await app.api(key).get('/v1/calc/apy?apr=0.1&compounding=continuous').expect(200)).body;
      expect(continuous.periodsPerYear).toBeNull();
      expect(continuous.apy).toMatch(/^0\.10517091807564762/);
      const apr = (await app.api(key).get('/v1/calc/apr?apy=0.1051557816&compounding=daily').expect(200)).body;
      expect(dec(apr.apr).minus('0.1').abs().lt('1e-9')).toBe(true);
      const custom = (await app.api(key).get('/v1/calc/apy?apr=0.12&compounding=12').expect(200)).body;
      expect(custom.periodsPerYear).toBe(12);
    });

    it('gives real rates and growth', async () => {
      const real = (await app.api(key).get('/v1/calc/real-rate?nominal=0.06&inflation=0.04').expect(200)).body;
      expect(real.exact).toMatch(/^0\.01923076923076923/);
      expect(real.approximate).toBe('0.02');
      await app.api(key).get('/v1/calc/real-rate?nominal=0.06&inflation=-0.02').expect(200);
      const growth = (await app.api(key).get('/v1/calc/growth?principal=1000&apr=0.1&compounding=daily&days=365').expect(200)).body;
      expect(growth.finalAmount).toMatch(/^1105\.155781616264/);
      expect(growth.interest).toMatch(/^105\.155781616264/);
    });

    it.each([
      '/v1/calc/apy?apr=0.1',
      '/v1/calc/apy?apr=abc&compounding=daily',
      '/v1/calc/apy?apr=101&compounding=daily',
      '/v1/calc/apy?apr=-0.1&compounding=daily',
      '/v1/calc/apy?apr=0.1&compounding=fortnightly',
      '/v1/calc/apy?apr=0.1&compounding=0',
      '/v1/calc/apr?apy=1e-2&compounding=daily',
      '/v1/calc/real-rate?nominal=0.06&inflation=-1',
      '/v1/calc/growth?principal=1000&apr=0.1&compounding=daily&days=36501',
      '/v1/calc/growth?principal=-5&apr=0.1&compounding=daily&days=1',
    ])('refuses %s', async (path) => {
      expect((await app.api(key).get(path).expect(400)).body.code).toBe('VALIDATION_FAILED');
    });
  });
});
