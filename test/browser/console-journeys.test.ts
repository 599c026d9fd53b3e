/**
 * The console's remaining journeys in Debian's Chromium (playwright-core), against the real
 * application: withdrawing (locked, then matured), repaying part and all, opening a sub-account
 * and switching to it, the −10 % / −30 % price shocks, the ledger check, pasted YAML run from
 * Admin and a market parameter change. Each journey saves screenshots in test-results/console/
 * (names starting "j"), and axe-core checks the views they open.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { ADMIN_KEY, createUser, startTestApp, TestApp } from '../support/test-app.js';
import { ConsoleBrowser, SHOTS, WAIT, move, seriousViolations, shot, waitForStatus } from '../support/browser.js';
import { databaseSessions } from '../support/database.js';

let app: TestApp;
let base: string;
let browser: ConsoleBrowser;
let learner: { apiKey: string; accountId: string };
let page: Page;
let admin: Page;

const status = (p: Page, text: string | RegExp) => waitForStatus(p, text, () => databaseSessions(app.databaseUrl));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  app = await startTestApp();
  await app.app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
  for (const [asset, price] of [['BTC', '60000'], ['USDC', '1']]) await app.admin.put(`/v1/prices/${asset}?wait=true`).send({ price }).expect(200);
  const lender = await createUser(app, 'house lender');
  await app.api(lender.apiKey).post(`/v1/accounts/${lender.accountId}/deposits`).send({ asset: 'USDC', amount: '1000000' }).expect(201);
  learner = await createUser(app, 'carol');
  browser = await ConsoleBrowser.launch();
  page = await browser.newPage();
  await page.goto(`${base}/#key=${encodeURIComponent(learner.apiKey)}`);
  await page.getByRole('heading', { name: /^Health:/ }).waitFor(WAIT);
  admin = await browser.newPage();
  await admin.goto(`${base}/#key=${encodeURIComponent(ADMIN_KEY)}`);
  await admin.getByRole('heading', { level: 1, name: 'Admin' }).waitFor(WAIT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the console’s journeys', () => {
  it('refuses to withdraw a locked position with the API’s sentence, then withdraws it once matured', async () => {
    await move(page, 'Deposit', 'USDC', '500');
    await status(page, 'Deposited 500 USDC');
    await page.getByText(/locked<\/span>|locked: matures in 7 d/).first().waitFor(WAIT);

    await move(page, 'Withdraw', 'USDC', '');
    const alert = page.getByRole('alert').filter({ hasText: 'Withdraw refused' });
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toMatch(/^Withdraw refused: The USDC position is locked until \d{4}-\d\d-\d\dT[\d:.]+Z\. \(POSITION_LOCKED\)$/);
    await shot(page, 'j01-withdraw-locked');

    await app.admin.post('/v1/clock/advance').send({ days: 7 }).expect(200);
    // The page notices the clock by itself and shows the position matured.
    await page.getByText(/matured: can be withdrawn/).waitFor(WAIT);
    await move(page, 'Withdraw', 'USDC', '');
    await status(page, /^Withdrew 500(\.\d+)? USDC, interest included\.$/);
    await page.getByText('no positions: deposit to start earning').waitFor(WAIT);
    await shot(page, 'j02-withdraw-matured');
  }, 300_000);

  it('repays part of a loan, then all of it', async () => {
    await move(page, 'Deposit', 'BTC', '1');
    await status(page, 'Deposited 1 BTC');
    await move(page, 'Borrow', 'USDC', '1000');
    await status(page, 'Borrowed 1,000 USDC');
    await move(page, 'Repay', 'USDC', '400');
    await status(page, /^Repaid 400 USDC; 600(\.\d+)? USDC is still owed\.$/);
    const loans = page.getByRole('table', { name: 'Loans' });
    await loans.getByRole('cell', { name: '600 USDC', exact: true }).first().waitFor(WAIT);
    await shot(page, 'j03-repaid-part');
    await move(page, 'Repay', 'USDC', 'all');
    await status(page, 'Repaid the whole loan; 0 USDC is still owed.');
    await page.getByTestId('ltv').filter({ hasText: 'no debt' }).waitFor(WAIT);
    await shot(page, 'j04-repaid-all');
  }, 300_000);

  it('opens a sub-account, switches to it and back', async () => {
    const open = page.getByRole('form', { name: 'Open a sub-account' });
    await open.getByLabel('Sub-account label').fill('savings');
    await open.getByRole('button', { name: 'Open sub-account' }).click();
    await status(page, 'Opened the sub-account "savings"');
    const picker = page.getByRole('form', { name: 'Choose an account' }).getByLabel('Account');
    expect(await picker.locator('option:checked').textContent()).toBe('savings');
    await page.getByText('no positions: deposit to start earning').waitFor(WAIT);
    await move(page, 'Deposit', 'USDC', '250');
    await status(page, 'Deposited 250 USDC');
    await shot(page, 'j05-sub-account');
    expect(await seriousViolations(page)).toEqual([]);

    await picker.selectOption({ label: 'main' });
    await page.getByRole('table', { name: 'Positions' }).getByRole('cell', { name: '1 BTC', exact: true }).first().waitFor(WAIT);
    await picker.selectOption({ label: 'savings' });
    await page.getByRole('table', { name: 'Positions' }).getByRole('cell', { name: '250 USDC', exact: true }).first().waitFor(WAIT);
    await shot(page, 'j05b-switched-back');
    const accounts = await app.api(learner.apiKey).get('/v1/accounts').expect(200);
    expect(accounts.body.map((a: { label: string }) => a.label).sort()).toEqual(['main', 'savings']);
  }, 300_000);

  it('shocks the BTC price by −10 % and then −30 %', async () => {
    const prices = admin.getByRole('form', { name: 'Set a price' });
    await prices.getByLabel('Asset').selectOption('BTC');
    await prices.getByRole('button', { name: 'Shock the price by −10 %' }).click();
    await status(admin, 'BTC is now $54,000 (a 10 % shock)');
    await prices.getByLabel('Asset').selectOption('BTC');
    await prices.getByRole('button', { name: 'Shock the price by −30 %' }).click();
    await status(admin, 'BTC is now $37,800 (a 30 % shock)');
    const now = await app.admin.get('/v1/prices').expect(200);
    expect(now.body.find((p: { asset: string }) => p.asset === 'BTC').price).toBe('37800');
    await admin.getByRole('table', { name: 'Prices now' }).getByRole('cell', { name: '$37,800', exact: true }).waitFor(WAIT);
    await shot(admin, 'j06-price-shocks');
  }, 240_000);

  it('checks the ledger from Admin', async () => {
    await admin.getByRole('form', { name: 'Ledger check' }).getByRole('button', { name: 'Check the ledger' }).click();
    await status(admin, 'The ledger balances.');
    const totals = admin.getByRole('table', { name: 'Ledger totals per asset' });
    await totals.getByRole('cell', { name: 'USDC', exact: true }).waitFor(WAIT);
    await admin.getByText('Balanced: every debit has its credit.').waitFor(WAIT);
    await shot(admin, 'j07-ledger-check');
  }, 240_000);

  it('changes a market’s parameters: the API stores them exactly', async () => {
    const form = admin.getByRole('form', { name: 'Market parameters' });
    await form.getByLabel('Market').selectOption('ETH');
    await form.getByLabel('Market').locator('option:checked', { hasText: 'ETH' }).waitFor({ state: 'attached', ...WAIT });
    await form.getByLabel('Slope below the kink').fill('0.0625');
    await form.getByLabel('Margin-call LTV').fill('0.72');
    await form.getByRole('button', { name: 'Save market' }).click();
    await status(admin, 'ETH market saved: new rates from the next 00:00, new levels at once.');
    const eth = await app.admin.get('/v1/markets/ETH').expect(200);
    expect(eth.body.rateModel.slope1).toBe('0.0625');
    expect(eth.body.risk.marginCallLtv).toBe('0.72');
    expect(await form.getByLabel('Slope below the kink').inputValue()).toBe('0.0625');

    // A refusal is the API's sentence, naming the rule.
    await form.getByLabel('Margin-call LTV').fill('0.4');
    await form.getByRole('button', { name: 'Save market' }).click();
    const alert = admin.getByRole('alert').filter({ hasText: 'Save market refused' });
    await alert.waitFor(WAIT);
    expect(await alert.textContent()).toMatch(/\(VALIDATION_FAILED\)$/);
    await shot(admin, 'j08-market-parameters');
  }, 240_000);

  it('runs pasted YAML from Admin and shows its report', async () => {
    const yaml = [
      'name: Pasted - one day of interest',
      'description: A lender and a borrower, one day.',
      'days: 2',
      'prices: { BTC: "50000", USDC: "1" }',
      'users: { lender: {}, dana: {} }',
      'steps:',
      '  - day: 0',
      '    deposit: { user: lender, asset: USDC, amount: "10000" }',
      '  - day: 0',
      '    deposit: { user: dana, asset: BTC, amount: "1" }',
      '  - day: 0',
      '    borrow: { user: dana, asset: USDC, amount: "5000" }',
      'expect:',
      '  - { user: dana, debt: USDC, amount: "5000", tolerance: "10" }',
    ].join('\n');
    const form = admin.getByRole('form', { name: 'Run a scenario' });
    await form.getByLabel('Shipped scenario').selectOption('');
    await form.getByLabel('Scenario YAML').fill(yaml);
    await form.getByRole('button', { name: 'Run scenario' }).click();
    const report = admin.locator('#scenario-report');
    await report.getByRole('heading', { name: 'Pasted - one day of interest' }).waitFor({ timeout: 400_000 });
    await report.getByText('Everything went as expected.').waitFor(WAIT);
    await report.getByRole('img', { name: /dana: what the account holds and owes/ }).waitFor(WAIT);
    await report.scrollIntoViewIfNeeded();
    await shot(admin, 'j09-pasted-yaml');

    // A broken file is refused with the parser's sentence.
    await form.getByLabel('Scenario YAML').fill('name: broken\ndays: -1\n');
    await form.getByRole('button', { name: 'Run scenario' }).click();
    await report.getByRole('alert').waitFor(WAIT);
    expect((await report.getByRole('alert').textContent())!.length).toBeGreaterThan(10);
    expect(await seriousViolations(admin)).toEqual([]);
  }, 450_000);

  it('runs the shipped lone-lender scenario: its first chart shows the lender repaid in full', async () => {
    const form = admin.getByRole('form', { name: 'Run a scenario' });
    await form.getByLabel('Shipped scenario').selectOption('lone-lender');
    await form.getByRole('button', { name: 'Run scenario' }).click();
    const report = admin.locator('#scenario-report');
    await report.getByRole('heading', { name: /A lone lender/ }).waitFor({ timeout: 400_000 });
    expect(await report.getByRole('img').first().getAttribute('aria-label')).toMatch(/^The lone lender is repaid in full/);
    await report.getByText(/she withdrew all 100\.461320049 SOL/).first().waitFor(WAIT);
    await report.scrollIntoViewIfNeeded();
    await shot(admin, 'j10-lone-lender');
    expect(await seriousViolations(admin)).toEqual([]);
  }, 450_000);
});
