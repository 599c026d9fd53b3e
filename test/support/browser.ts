/**
 * What the console's browser tests share: Debian's Chromium driven by playwright-core (no browser
 * download; LENDLAB_CHROMIUM names another binary), pages of the same size, screenshots in
 * test-results/console/, axe-core's serious and critical violations, and the Move money form.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';

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
