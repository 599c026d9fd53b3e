#!/usr/bin/env node
// `npm run bench:console [-- <base url> <user key>]`: the console's budgets, measured (a
// benchmark, not a timed test):
//   - the page's JavaScript, gzipped (budget 250 KB), from web/dist;
//   - the Account view ready (its LTV and positions drawn) after load, in Debian's Chromium,
//     against a running sandbox (budget 1 s): the median of 7 loads.
// Without arguments it uses the sandbox on PORT (default 3000) and alice's key from
// .lendlab/sandbox-keys.json (LENDLAB_DATA_DIR).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureConsoleBuilt, ensureDependencies } from './lib/deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`[bench:console] ${line}\n`);
ensureDependencies(root, say);
ensureConsoleBuilt(root, say);

const assets = path.join(root, 'web', 'dist', 'assets');
const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
const raw = js.reduce((sum, f) => sum + readFileSync(path.join(assets, f)).length, 0);
const gz = js.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(assets, f)), { level: 9 }).length, 0);
say(`JavaScript: ${(raw / 1024).toFixed(1)} KB, ${(gz / 1024).toFixed(1)} KB gzipped (budget 250 KB gzipped) ${gz <= 250 * 1024 ? 'OK' : 'OVER BUDGET'}`);

const base = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`;
let key = process.argv[3];
if (!key) {
  const keysFile = path.join(path.resolve(process.env.LENDLAB_DATA_DIR || path.join(root, '.lendlab')), 'sandbox-keys.json');
  if (existsSync(keysFile)) key = Object.values(JSON.parse(readFileSync(keysFile, 'utf8')).users)[0]?.apiKey;
}
const up = await fetch(`${base}/health`).then((r) => r.ok).catch(() => false);
if (!key || !up) {
  say(`no sandbox at ${base} (start one with npm run sandbox, or give: npm run bench:console -- <base url> <user key>); the load time is not measured`);
  process.exit(gz <= 250 * 1024 ? 0 : 1);
}

const { chromium } = await import('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.LENDLAB_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const times = [];

try {
  for (let i = 0; i < 7; i += 1) {
    const context = await browser.newContext(); // a cold cache each time
    const page = await context.newPage();
    await page.goto(`${base}/#key=${encodeURIComponent(key)}`, { waitUntil: 'commit' });
    await page.getByRole('heading', { name: /^Health:/ }).waitFor({ timeout: 10_000 });
    // From the navigation's start to the Account view drawn, by the page's own clock.
    times.push(await page.evaluate('performance.now()'));
    await context.close();
  }
} finally {
  await browser.close();
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];

say(`Account view ready: median ${median.toFixed(0)} ms after navigation (min ${times[0].toFixed(0)}, max ${times[times.length - 1].toFixed(0)}; budget 1000 ms) ${median <= 1000 ? 'OK' : 'OVER BUDGET'}`);
process.exit(gz <= 250 * 1024 && median <= 1000 ? 0 : 1);
