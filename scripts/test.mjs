#!/usr/bin/env node
// `npm test`: the whole suite on a fresh machine. Installs what is missing, generates the
// Prisma client, type-checks, then runs Jest (which starts and stops its own PostgreSQL and
// Redis). Ends with one plain line, `N passed, N failed`, for CI's reader.
//   npm test -- <jest args>     e.g. npm test -- test/ledger
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDependencies, ensurePrismaClient } from './lib/deps.mjs';
import { ensureRedisServer, ensureSystemCommand } from './lib/services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`[test] ${line}\n`);
const jestArgs = process.argv.slice(2);

ensureDependencies(root, say);
ensurePrismaClient(root, say);
ensureRedisServer(say);
// The console's browser tests (test/browser) drive Debian's Chromium through playwright-core.
ensureSystemCommand(
  {
    binary: 'chromium',
    aptPackage: 'chromium',
    advice: 'The browser tests need Chromium at /usr/bin/chromium (Debian/Ubuntu: sudo apt-get install chromium), or LENDLAB_CHROMIUM=<path>.',
  },
  say,
);

say('type-checking...');
const typecheck = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json', '--noEmit'], {
  cwd: root,
  stdio: 'inherit',
});
// The console (web/) has its own compiler settings (the DOM library, Vite's bundler resolution).
const webTypecheck = spawnSync(path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', path.join('web', 'tsconfig.json')], { cwd: root, stdio: 'inherit' });
// The house rules (.dependency-cruiser.cjs): no cycle between the folders of src/. It prints each
// cycle it finds, with the path it takes (`npm run deps` prints the same).
say('checking that the folders of src/ depend one way (dependency-cruiser)...');
const depCheck = spawnSync(
  path.join(root, 'node_modules', '.bin', 'depcruise'),
  ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'],
  { cwd: root, stdio: 'inherit' },
);

const resultsFile = path.join(root, '.jest-results.json');
rmSync(resultsFile, { force: true });
const jest = spawnSync(
  process.execPath,
  [path.join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--json', `--outputFile=${resultsFile}`, ...jestArgs],
  {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim() },
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(resultsFile)) {
  const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
  passed = results.numPassedTests;
  failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
  skipped = results.numPendingTests + results.numTodoTests;
} else {
  failed = 1;
}
if (webTypecheck.status !== 0) {
  say('type-check of web/ failed (counted as one failure)');
  failed += 1;
}
if (depCheck.status !== 0) {
  say('dependency rules broken: a cycle between folders of src/ (counted as one failure; see above or `npm run deps`)');
  failed += 1;
}
if (typecheck.status !== 0) {
  say('type-check failed (counted as one failure)');
  failed += 1;
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
process.exit(failed > 0 || jest.status !== 0 ? 1 : 0);
