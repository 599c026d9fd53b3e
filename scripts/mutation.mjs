#!/usr/bin/env node
// `npm run mutation`: mutation testing of the pure money code (issue 12). Not part of CI.
//   1. StrykerJS (stryker.config.mjs): its own operators on the files it lists; a table of the
//      mutation score per file, and reports/mutation/stryker.{html,json}.
//   2. scripts/decimal-mutants.mjs: the decimal.js mutants Stryker cannot make (rounding modes,
//      .plus/.minus, .times/.div, .gte/.gt, Decimal.max/min, decimal places, constants); a
//      table per file and reports/mutation/decimal-mutants.json.
// Neither touches src/: Stryker mutates a sandbox copy (.stryker-tmp/), the script a temporary copy.
// Arguments go to the decimal-mutants script (e.g. `npm run mutation -- src/risk`), which then
// also limits Stryker to those paths; `--skip-stryker` / `--skip-decimal` run only one of the two.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const skipStryker = args.includes('--skip-stryker');
const skipDecimal = args.includes('--skip-decimal');
const rest = args.filter((a) => a !== '--skip-stryker' && a !== '--skip-decimal');
const paths = rest.filter((a) => a.startsWith('src'));
const say = (line) => process.stdout.write(`[mutation] ${line}\n`);
const minutes = (ms) => `${Math.floor(ms / 60000)} min ${Math.round((ms % 60000) / 1000)} s`;

let failed = false;
const started = Date.now();
if (!skipStryker) {
  const strykerArgs = ['run', 'stryker.config.mjs'];
  if (paths.length) {
    const { default: config } = await import(path.join(root, 'stryker.config.mjs'));
    const mutate = config.mutate.filter((p) => p.startsWith('!') || paths.some((only) => p === only || p.startsWith(`${only.replace(/\/$/, '')}/`)));
    strykerArgs.push('--mutate', mutate.join(','));
  }
  say(`stryker ${strykerArgs.join(' ')}`);
  const stryker = spawnSync(process.execPath, [path.join(root, 'node_modules', '@stryker-mutator', 'core', 'bin', 'stryker.js'), ...strykerArgs], { cwd: root, stdio: 'inherit' });
  failed ||= stryker.status !== 0;
  say(`Stryker took ${minutes(Date.now() - started)}`);
}
if (!skipDecimal) {
  const at = Date.now();
  const decimal = spawnSync(process.execPath, [path.join(root, 'scripts', 'decimal-mutants.mjs'), ...rest], { cwd: root, stdio: 'inherit' });
  failed ||= decimal.status !== 0;
  say(`decimal mutants took ${minutes(Date.now() - at)}`);
}
say(`done in ${minutes(Date.now() - started)}; reports in reports/mutation/`);
process.exit(failed ? 1 : 0);
