/**
 * The console's presets journeys in Debian's Chromium (playwright-core), against the real
 * application: Admin applies a product preset (the API's message, what was not modelled, the
 * market form showing the new levels), and runs pasted YAML naming two presets (the comparison:
 * summary, table, a chart per measure with a line per preset). Screenshots in
 * test-results/console/ (names starting "p"); axe-core checks the views they open.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { ADMIN_KEY, startTestApp, TestApp } from '../support/test-app.js';
import { ConsoleBrowser, SHOTS, WAIT, seriousViolations, shot } from '../support/browser.js';

let app: TestApp;
let browser: ConsoleBrowser;
let admin: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startTestApp();
  await app.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
  browser = await ConsoleBrowser.launch();
  admin = await browser.newPage();
  await admin.goto(`${base}/#key=${encodeURIComponent(ADMIN_KEY)}`);
  await admin.getByRole('heading', { level: 1, name: 'Admin' }).waitFor(WAIT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the console’s presets', () => {
  it('applies a preset from Admin and says what the engine could not model', async () => {
    const form = admin.getByRole('form', { name: 'Apply a preset' });
    await form.getByLabel('Preset').selectOption('aave-v3');
    await form.getByRole('button', { name: 'Apply preset' }).click();
    await admin.getByRole('status').filter({ hasText: /^Aave v3 \(DeFi pool\) applied: \d+ rule\(s\) now in force, \d+ the engine cannot follow yet/ }).waitFor(WAIT);
    await admin.getByText(/per-second accrual: the engine accrues interest daily/).waitFor(WAIT);
    // The market form (BTC) shows Aave's levels, read back from the API.
    const market = admin.getByRole('form', { name: 'Market parameters' });
    expect(await market.getByLabel('Max LTV').inputValue()).toBe('0.7');
    expect(await market.getByLabel('Liquidation LTV').inputValue()).toBe('0.75');
    expect((await app.admin.get('/v1/markets/BTC').expect(200)).body.risk).toMatchObject({ maxLtv: '0.7', marginCallLtv: '0.725', liquidationLtv: '0.75', liquidationBonus: '0.1' });
    expect((await app.admin.get('/v1/settings').expect(200)).body.liquidationStrategy).toBe('close-factor');
    await shot(admin, 'p01-preset-applied');
    expect(await seriousViolations(admin)).toEqual([]);
  }, 300_000);

  it('runs pasted YAML under two presets and shows the comparison', async () => {
    const yaml = [
      'name: Pasted - two days of March 2020 under two presets',
      'start: "2020-03-11T00:00:00Z"',
      'days: 2',
      'presets: [lendlab, aave-v3]',
      'prices:',
      '  BTC: { replay: btc-usd-daily, from: 2020-03-11, to: 2020-03-13 }',
      '  USDC: "1"',
      'users: { lender: {}, erin: {} }',
      'steps:',
      '  - { day: 0, deposit: { user: lender, asset: USDC, amount: "100000" } }',
      '  - { day: 0, deposit: { user: erin, asset: BTC, amount: "1" } }',
      '  - { day: 0, borrow: { user: erin, asset: USDC, amount: "3940" } }',
      'expect:',
      '  - { user: erin, notices: liquidation, count: 1, preset: aave-v3 }',
      '  - { user: erin, notices: liquidation, count: 0, preset: lendlab }',
    ].join('\n');
    const form = admin.getByRole('form', { name: 'Run a scenario' });
    await form.getByLabel('Shipped scenario').selectOption('');
    await form.getByLabel('Scenario YAML').fill(yaml);
    await form.getByRole('button', { name: 'Run scenario' }).click();
    const report = admin.locator('#scenario-report');
    await report.getByRole('heading', { name: /two presets: lendlab, aave-v3 compared/ }).waitFor({ timeout: 600_000 });
    await report.getByText('Under every preset, everything went as expected.', { exact: false }).waitFor(WAIT);
    await report.getByText(/erin: under lendlab got \d+ margin call\(s\) but was not liquidated.*under aave-v3 was liquidated once/).waitFor(WAIT);
    const table = report.getByRole('table', { name: 'What each borrower ended with, under each preset' });
    expect(await table.getByRole('row').count()).toBe(3);
    await report.getByRole('img', { name: /erin: LTV, one line per preset/ }).waitFor(WAIT);
    await report.getByRole('img', { name: /erin: liquidation fees paid/ }).waitFor(WAIT);
    await report.scrollIntoViewIfNeeded();
    await shot(admin, 'p02-comparison');
    expect(await seriousViolations(admin)).toEqual([]);
  }, 700_000);
});
