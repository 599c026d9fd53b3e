/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core (no browser
 * download; LENDLAB_CHROMIUM names another binary), pages of the same size, screenshots in
 * test-results/console/, axe-core's serious and critical violations, and the Move money form.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';

export const SHOTS = path.join(process.cwd(), 'test-results', 'console');
export const WAIT = { timeout: 60_000 };

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** One Chromium for a test file; each page in a context of its own (its own key in its own tab). */
export class ConsoleBrowser {
  private readonly contexts: BrowserContext[] = [];

  private constructor(private readonly browser: Browser) {}

  static async launch(): Promise<ConsoleBrowser> {
    return new ConsoleBrowser(await chromium.launch({ executablePath: process.env.LENDLAB_CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS }));
  }

  async newPage(): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1200, height: 900 } });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => process.stderr.write(`[browser] ${error.message}\n`));
    watchTraffic(page);
    return page;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close().catch(() => undefined);
    await this.browser.close();
  }
}

export const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

/** Violations axe-core rates serious or critical, as "rule: target" lines. */
export async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate('typeof axe !== "undefined"'))) await page.evaluate(AXE_SOURCE);
  const violations = (await page.evaluate('axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations)')) as {
    id: string;
    impact: string;
    nodes: { target: string[] }[];
  }[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Fills the Move money form and presses one of its buttons (held down `holdMs`, as a slow hand does). */
export async function move(page: Page, action: 'Deposit' | 'Withdraw' | 'Borrow' | 'Repay', asset: string, amount: string, holdMs = 0): Promise<void> {
  const form = page.getByRole('form', { name: 'Move money' });
  await form.getByLabel('Asset').selectOption(asset);
  await form.getByLabel('Amount').fill(amount);
  await form.getByRole('button', { name: action, exact: true }).click({ delay: holdMs });
}

/** Each page's requests still in flight (since when) and the last ones refused or failed: what a timed-out wait reports. */
const traffic = new WeakMap<Page, { inFlight: Map<Request, number>; refused: string[] }>();

function watchTraffic(page: Page): void {
  const seen = { inFlight: new Map<Request, number>(), refused: [] as string[] };
  traffic.set(page, seen);
  const refused = (line: string) => seen.refused.push(line) > 10 && seen.refused.shift();
  page.on('request', (request) => seen.inFlight.set(request, Date.now()));
  page.on('requestfailed', (request) => {
    seen.inFlight.delete(request);
    refused(`${request.method()} ${request.url()}: ${request.failure()?.errorText}`);
  });
  page.on('requestfinished', (request) => {
    seen.inFlight.delete(request);
    void request.response().then((response) => response && response.status() >= 400 && refused(`${request.method()} ${request.url()}: ${response.status()}`));
  });
}

/**
 * Waits for the page's status message with `text`. When it does not come, the error says what the
 * page shows instead, which requests are still in flight and which were refused, and what
 * `server` adds (the database's sessions, say): a wait that times out in CI explains itself.
 */
export async function waitForStatus(page: Page, text: string | RegExp, server?: () => Promise<string>): Promise<void> {
  try {
    await page.getByRole('status').filter({ hasText: text }).waitFor(WAIT);
  } catch (error) {
    const seen = traffic.get(page);
    const now = Date.now();
    const lines = [
      `messages shown: ${JSON.stringify(await page.locator('[role=status], [role=alert]').allTextContents().catch(() => []))}`,
      `requests in flight: ${JSON.stringify([...(seen?.inFlight ?? [])].map(([r, since]) => `${r.method()} ${r.url()} for ${now - since} ms`))}`,
      `refused or failed lately: ${JSON.stringify(seen?.refused ?? [])}`,
      ...(server ? [await server().catch((e: Error) => `server: ${e.message}`)] : []),
    ];
    throw new Error(`${(error as Error).message}\n${lines.join('\n')}`);
  }
}
