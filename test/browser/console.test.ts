/**
 * The learner's console in a real browser: Debian's Chromium driven by playwright-core (no
 * browser download), against the real application (HTTP, workers, Postgres, Redis) serving
 * web/dist at /. Each journey saves screenshots in test-results/console/. axe-core checks every
 * view for serious or critical accessibility violations.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { ADMIN_KEY, createUser, startTestApp, TestApp } from '../support/test-app.js';
import { ConsoleBrowser, SHOTS, WAIT, move, seriousViolations, shot } from '../support/browser.js';

let app: TestApp;
let base: string;
let browser: ConsoleBrowser;
let learner: { apiKey: string; accountId: string };
let learnerPage: Page;
let adminPage: Page;
const timings: Record<string, number> = {};

async function view(page: Page, name: 'Markets' | 'Account' | 'Admin' | 'Calculators'): Promise<void> {
  await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor(WAIT);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startTestApp();
  await app.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
  for (const [asset, price] of [['BTC', '65000'], ['USDC', '1']]) await app.admin.put(`/v1/prices/${asset}?wait=true`).send({ price }).expect(200);
  const lender = await createUser(app, 'house lender');
  await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/deposits`).send({ asset: 'USDC', amount: '1000000' }).expect(201);
  learner = await createUser(app, 'alice');
  browser = await ConsoleBrowser.launch();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  process.stdout.write(`[console] timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('the learner’s console', () => {
  it('serves the page at / under the strict CSP, and keeps /v1 answers in the API’s shape', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module"');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const missing = await fetch(`${base}/v1/nothing-here`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('signs in through the #key link, without sending the key in a URL', async () => {
    learnerPage = await browser.newPage();
    const urls: string[] = [];
    learnerPage.on('request', (request) => urls.push(request.url()));
    const started = Date.now();
    await learnerPage.goto(`${base}/#key=${encodeURIComponent(learner.apiKey)}`);
    await learnerPage.getByRole('heading', { level: 1, name: 'Account' }).waitFor(WAIT);
    await learnerPage.getByText('no positions: deposit to start earning').waitFor(WAIT);
    timings.accountReady = Date.now() - started;
    expect(urls.some((url) => url.includes(learner.apiKey))).toBe(false);
    expect(learnerPage.url()).not.toContain(learner.apiKey);
    expect(await learnerPage.evaluate('sessionStorage.getItem("lendlab.key")')).toBe(learner.apiKey);
    await shot(learnerPage, '01-signed-in');
  });

  it('deposits BTC, borrows USDC and shows the LTV against its levels', async () => {
    await move(learnerPage, 'Deposit', 'BTC', '1');
    await learnerPage.getByRole('status').filter({ hasText: 'Deposited 1 BTC' }).waitFor(WAIT);
    await move(learnerPage, 'Borrow', 'USDC', '30000');
    await learnerPage.getByRole('status').filter({ hasText: 'Borrowed 30,000 USDC' }).waitFor(WAIT);
    await learnerPage.getByTestId('ltv').filter({ hasText: '46.2 %' }).waitFor(WAIT);
    await learnerPage.getByRole('img', { name: /LTV gauge: 46\.2 % against a max of 50\.0 %, margin call at 71\.4 %, liquidation at 83\.3 %/ }).waitFor(WAIT);
    await learnerPage.getByText(/a fall of 35\.4 % \(BTC at \$42,0\d\d(\.\d+)?\) brings a margin call/).waitFor(WAIT);
    await shot(learnerPage, '02-borrowed');
  });

  it('shows the API’s message, as a sentence, for a bad amount', async () => {
    await move(learnerPage, 'Deposit', 'BTC', '0.123456789');
    const alert = learnerPage.getByRole('alert');
    await alert.filter({ hasText: 'Deposit refused' }).waitFor(WAIT);
    const text = await alert.textContent();
    expect(text).toMatch(/at most 8 decimal places/);
    expect(text).toMatch(/\(VALIDATION_FAILED\)$/);
    await shot(learnerPage, '03-bad-amount');
  });

  it('lets the admin drop the price: the learner sees the margin call, then the liquidation', async () => {
    adminPage = await browser.newPage();
    await adminPage.goto(`${base}/`);
    await adminPage.getByLabel('API key').fill(ADMIN_KEY);
    await adminPage.getByRole('button', { name: 'Sign in' }).click();
    await adminPage.getByRole('heading', { level: 1, name: 'Admin' }).waitFor(WAIT);

    const prices = adminPage.getByRole('form', { name: 'Set a price' });
    await prices.getByLabel('Asset').selectOption('BTC');
    await prices.getByLabel('Price (USD)').fill('40000');
    await prices.getByRole('button', { name: 'Set price' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'BTC is now $40,000' }).waitFor(WAIT);
    await shot(adminPage, '04-admin-price');

    // The learner's page was not touched: it notices the new price by itself.
    const seen = Date.now();
    await learnerPage.getByRole('heading', { name: 'Health: Margin call' }).waitFor(WAIT);
    timings.marginCallSeen = Date.now() - seen;
    await shot(learnerPage, '05-margin-call');

    await prices.getByLabel('Price (USD)').fill('35000');
    await prices.getByRole('button', { name: 'Set price' }).click();
    await adminPage.getByRole('status').filter({ hasText: 'BTC is now $35,000' }).waitFor(WAIT);
    await learnerPage.getByText(/Liquidation: at an LTV of 85\.\d % collateral was sold until the LTV was back at 71\.4 %/).waitFor(WAIT);
    // The margin call's notice is listed too. (It is checked here, not at 40,000: the page redraws
    // when it sees the new price, which can be just before the sweep has stored the notice; the
    // page then shows it at its next redraw.)
    await learnerPage.getByText(/Margin call: the LTV reached 75\.\d %, past the margin-call level of 71\.4 %/).waitFor(WAIT);
    await learnerPage.getByTestId('ltv').filter({ hasText: '71.4 %' }).waitFor(WAIT);
    await shot(learnerPage, '06-liquidated');
  }, 240_000);

  it('advances 30 days: the interest appears in the learner’s statement', async () => {
    const clock = adminPage.getByRole('form', { name: 'Advance the clock' });
    await clock.getByLabel('How many').fill('30');
    await clock.getByLabel('Unit').selectOption('days');
    await clock.getByRole('button', { name: 'Advance' }).click();
    await adminPage.getByRole('status').filter({ hasText: '30 day(s) of interest accrued' }).waitFor({ timeout: 240_000 });
    const table = learnerPage.getByRole('table', { name: 'Interest per day' });
    await table.getByRole('row').filter({ hasText: 'charged' }).first().waitFor(WAIT);
    // The page redraws on its own as the clock moves; by the end it shows a line per day.
    const deadline = Date.now() + 60_000;
    while ((await table.getByRole('row').filter({ hasText: 'USDC' }).count()) < 30 && Date.now() < deadline) await learnerPage.waitForTimeout(250);
    expect(await table.getByRole('row').filter({ hasText: 'USDC' }).count()).toBeGreaterThanOrEqual(30);
    await learnerPage.getByRole('img', { name: /USDC interest charged, added up/ }).waitFor(WAIT);
    await shot(learnerPage, '07-interest');
  }, 300_000);

  it('runs a shipped scenario from the console and shows its charts', async () => {
    const form = adminPage.getByRole('form', { name: 'Run a scenario' });
    await form.getByLabel('Shipped scenario').selectOption('gap-crash');
    expect(await form.getByLabel('Scenario YAML').inputValue()).toContain('A gap crash');
    await form.getByRole('button', { name: 'Run scenario' }).click();
    const report = adminPage.locator('#scenario-report');
    await report.getByRole('heading', { name: /A gap crash/ }).waitFor({ timeout: 400_000 });
    const charts = report.getByRole('img');
    await charts.first().waitFor(WAIT);
    expect(await charts.first().getAttribute('aria-label')).toMatch(/^The lender is repaid in full/);
    await report.getByRole('img', { name: /alice: LTV against the margin-call and liquidation levels/ }).waitFor(WAIT);
    await report.getByText(/Even selling everything did not cover the debt: \$20,000\.\d\d is bad debt/).first().waitFor(WAIT);
    await report.scrollIntoViewIfNeeded();
    await shot(adminPage, '08-scenario');
  }, 450_000);

  it('works out APR ↔ APY right: 80 % APR compounded daily is 122.36 % APY', async () => {
    await view(learnerPage, 'Calculators');
    await learnerPage.getByText(/80\.00 % APR compounded daily = 122\.36 % APY/).waitFor(WAIT);
    await shot(learnerPage, '09-calculators');
  });

  it('has no serious or critical accessibility violation on any view', async () => {
    const found: Record<string, string[]> = {};
    for (const name of ['Markets', 'Account', 'Calculators', 'Admin'] as const) {
      await view(learnerPage, name);
      await learnerPage.waitForLoadState('networkidle').catch(() => undefined);
      found[`learner ${name}`] = await seriousViolations(learnerPage);
    }
    await shot(learnerPage, '10-markets-admin-as-user');
    await view(adminPage, 'Markets');
    await adminPage.getByRole('img', { name: /rate curve/ }).waitFor(WAIT);
    found['admin Markets'] = await seriousViolations(adminPage);
    await shot(adminPage, '11-markets');
    await view(adminPage, 'Admin');
    found['admin Admin (with a report)'] = await seriousViolations(adminPage);
    const signIn = await browser.newPage();
    await signIn.goto(`${base}/`);
    await signIn.getByLabel('API key').waitFor(WAIT);
    found['sign-in'] = await seriousViolations(signIn);
    await shot(signIn, '00-sign-in');
    expect(Object.fromEntries(Object.entries(found).filter(([, v]) => v.length))).toEqual({});
  }, 300_000);
});
