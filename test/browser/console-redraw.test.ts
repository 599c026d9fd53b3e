/**
 * The console redraws the Account view by itself for a while after the world moves (margin calls
 * and liquidations land just after a price or clock change). Those redraws must never take the
 * learner's typing or click away. Here the clock read every redraw waits for is slowed to 400 ms,
 * so each redraw's swap falls while the learner types and while the button is held down (300 ms);
 * every deposit must still go through with the amount typed, and its message must show.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { ConsoleBrowser, WAIT, move } from '../support/browser.js';

let app: TestApp;
let browser: ConsoleBrowser;
let learner: { apiKey: string; accountId: string };
let page: Page;

beforeAll(async () => {
  app = await startTestApp();
  await app.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.app.getHttpServer().address() as AddressInfo).port}`;
  await app.admin.put('/v1/prices/USDC?wait=true').send({ price: '1' }).expect(200);
  learner = await createUser(app, 'dora');
  browser = await ConsoleBrowser.launch();
  page = await browser.newPage();
  await page.route('**/v1/clock', async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 400));
    await route.continue();
  });
  await page.goto(`${base}/#key=${encodeURIComponent(learner.apiKey)}`);
  await page.getByRole('heading', { name: /^Health:/ }).waitFor(WAIT);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe('the console’s redraws', () => {
  it('never lose a typed amount or a held click while the view redraws itself', async () => {
    // The world moves: for the next 15 s the page redraws the account every poll (1.5 s).
    await app.admin.post('/v1/clock/advance').send({ hours: 1 }).expect(200);
    const amounts = ['11', '22', '33', '44', '55', '66'];
    for (const amount of amounts) {
      await move(page, 'Deposit', 'USDC', amount, 300);
      await page.getByRole('status').filter({ hasText: `Deposited ${amount} USDC` }).waitFor(WAIT);
    }
    // Each deposit reached the API once, with the amount typed for it.
    const lines = await app.api(learner.apiKey).get(`/v1/accounts/${learner.accountId}/transactions`).expect(200);
    const deposits = lines.body.filter((l: { type: string }) => l.type === 'deposit').map((l: { amount: string }) => l.amount);
    expect(deposits.sort()).toEqual(amounts.map((a) => `${a}.000000`));
  }, 300_000);
});
