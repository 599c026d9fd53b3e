#!/usr/bin/env node
// Decimal-aware mutation testing (issue 12). Stryker's operators never touch decimal.js: a
// method call (`.plus`, `.gte`, `Decimal.max`), a rounding mode or a constant is the same to
// it as any call. This script makes those mutants itself, one at a time, and runs the unit
// specs that import the mutated file (Jest's --findRelatedTests); a mutant whose specs still
// pass "survived".
//
// Nothing is ever written under the project's own src/: the files Jest needs (src/, the unit
// Jest config, package.json) are copied to a temporary directory per worker, mutants are
// applied to the copy, and the copies are deleted at the end, on error and on Ctrl-C alike.
//
//   node scripts/decimal-mutants.mjs                 every file in FILES
//   node scripts/decimal-mutants.mjs src/risk        only files under a path
//   options: --concurrency N (default 2), --list (print the mutants, run nothing),
//            --json FILE (default reports/mutation/decimal-mutants.json)
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The pure money files (the same list as stryker.config.mjs, less review-chunk.ts, which has no decimals). */
export const FILES = [
  'src/markets/market-state.ts',
  'src/markets/index-math.ts',
  'src/markets/rate-model.ts',
  'src/holdings/valuation.ts',
  'src/risk/liquidation-plan.ts',
  'src/risk/liquidation-batch.ts',
  'src/loans/repayment.ts',
  'src/markets/tier-lanes.ts',
  'src/loyalty/tiers.ts',
  'src/accrual/loyalty-cost.ts',
  'src/calc/compounding.ts',
  'src/common/money/amount.ts',
  'src/common/money/assets.ts',
  'src/common/money/decimal.ts',
  'src/common/money/rounding.ts',
  'src/common/money/parse-request.ts',
  'src/common/money/require-asset.ts',
];

const MODES = ['ROUND_UP', 'ROUND_DOWN', 'ROUND_HALF_EVEN'];
const SWAPS = [
  ['plus', ['minus']],
  ['minus', ['plus']],
  ['times', ['div']],
  ['div', ['times']],
  ['gte', ['gt']],
  ['gt', ['gte']],
  ['lte', ['lt']],
  ['lt', ['lte']],
];

/**
 * Mutants written for one rule of the contract each, that no generic rule makes: the text to
 * find (once, in code) in the file, and what it becomes.
 */
const SPECIFIC = [
  {
    file: 'src/loyalty/tiers.ts',
    rule: 'LAB left out of the collateral total (share)',
    find: 'loyaltyTokenValue.div(collateralValue)',
    replace: 'loyaltyTokenValue.div(collateralValue.minus(loyaltyTokenValue))',
  },
  {
    file: 'src/loyalty/tiers.ts',
    rule: 'LAB left out of the collateral total (minimum portfolio)',
    find: 'collateralValue.lt(MINIMUM_PORTFOLIO_USD)',
    replace: 'collateralValue.minus(loyaltyTokenValue).lt(MINIMUM_PORTFOLIO_USD)',
  },
  {
    file: 'src/risk/liquidation-plan.ts',
    rule: 'collateral left unsorted (no sale order)',
    find: 'saleOrder(collateral.filter(',
    replace: '((x) => x)(collateral.filter(',
  },
  {
    file: 'src/loans/repayment.ts',
    rule: 'repayment pays principal before interest',
    find: 'Decimal.min(amount, interestDue)',
    replace: 'Decimal.max(amount.minus(principal), ZERO)',
  },
];

/**
 * Surviving mutants judged equivalent (no input can tell them apart from the original), with
 * the reason. Keyed by file, the original line's trimmed text and the mutant's description.
 * They are reported, and left out of the score.
 */
const EQUIVALENT = [
  {
    file: 'src/risk/liquidation-plan.ts',
    line: 'const feeTotal = Decimal.min(total.times(fee), total.minus(repaidTotal));',
    mutant: '.times( → .div(',
    reason:
      'reached only when every unit was sold and debt remains, i.e. debt > total × (1 − fee); then total − min(total, debt) < total × fee, so the first argument of the min never wins, whatever it is',
  },
  {
    file: 'src/risk/liquidation-batch.ts',
    line: 'if (left.lte(0)) break;',
    mutant: '.lte( → .lt(',
    reason: 'left never goes below 0 (each loan gets at most floor(left / price) units); at exactly 0 the next loan gets 0 units and `if (units.isZero()) break` stops the loop the same way',
  },
];

// ---------------------------------------------------------------------------------------------

/** Marks which characters are code (not a comment, string, template or regex literal). */
function codeMask(src) {
  const mask = new Uint8Array(src.length).fill(1);
  let i = 0;
  let lastSignificant = '';
  const blank = (from, to) => mask.fill(0, from, to);
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end === -1 ? src.length : end;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end === -1 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < src.length && src[j] !== c) j += src[j] === '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
      lastSignificant = c;
    } else if (c === '/' && (lastSignificant === '' || '(,=:[!&|?{};'.includes(lastSignificant))) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && (inClass || src[j] !== '/')) {
        if (src[j] === '\\') j += 1;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j += 1;
      }
      blank(i, j + 1);
      i = j + 1;
      lastSignificant = '/';
    } else {
      if (!/\s/.test(c)) lastSignificant = c;
      i += 1;
    }
  }
  return mask;
}

/** Lines whose numeric literals are money constants (decimal places, day counts, precision...). */
const DECIMAL_LINE = /Decimal|dec\(|\.(plus|minus|times|div|gt|gte|lt|lte|eq|pow|toDecimalPlaces|toFixed|toSignificantDigits)\(|precision|toExp|decimals|DECIMALS|MS_PER|periodsPerYear|PERIODS|annual|daily|weekly|monthly|quarterly|hourly/;

function lineAt(src, index) {
  const start = src.lastIndexOf('\n', index - 1) + 1;
  const end = src.indexOf('\n', index);
  return { number: src.slice(0, index).split('\n').length, text: src.slice(start, end === -1 ? src.length : end) };
}

/** Every mutant of one file: { file, line, original, mutated (whole file), description }. */
export function mutantsOf(file, src) {
  const mask = codeMask(src);
  const found = [];
  const add = (index, length, replacement, description) => {
    const line = lineAt(src, index);
    found.push({
      file,
      line: line.number,
      original: line.text.trim(),
      description,
      source: src.slice(0, index) + replacement + src.slice(index + length),
    });
  };
  const each = (regex, fn) => {
    for (const m of src.matchAll(regex)) if (mask[m.index]) fn(m);
  };
  // Rounding modes.
  each(/Decimal\.(ROUND_UP|ROUND_DOWN|ROUND_HALF_EVEN)\b/g, (m) => {
    for (const other of MODES.filter((mode) => mode !== m[1])) add(m.index, m[0].length, `Decimal.${other}`, `${m[1]} → ${other}`);
  });
  // Method swaps: .plus ↔ .minus, .times ↔ .div, .gte ↔ .gt, .lte ↔ .lt.
  for (const [from, tos] of SWAPS) {
    each(new RegExp(`\\.${from}\\(`, 'g'), (m) => {
      for (const to of tos) add(m.index, m[0].length, `.${to}(`, `.${from}( → .${to}(`);
    });
  }
  // Decimal.max ↔ Decimal.min.
  each(/Decimal\.(max|min)\(/g, (m) => {
    const other = m[1] === 'max' ? 'min' : 'max';
    add(m.index, m[0].length, `Decimal.${other}(`, `Decimal.${m[1]}( → Decimal.${other}(`);
  });
  // toDecimalPlaces(places, …): places ± 1.
  each(/toDecimalPlaces\(([^,()]+)/g, (m) => {
    const at = m.index + 'toDecimalPlaces('.length;
    for (const delta of ['+ 1', '- 1']) add(at, m[1].length, `${m[1]} ${delta}`, `toDecimalPlaces(${m[1]}) places ${delta}`);
  });
  // Numeric literals on money lines: ± 1.
  each(/(?<![\w.$])\d[\d_]*(?:\.\d+)?(?![\w.])/g, (m) => {
    if (!DECIMAL_LINE.test(lineAt(src, m.index).text)) return;
    const value = Number(m[0].replaceAll('_', ''));
    for (const other of [value + 1, value - 1]) add(m.index, m[0].length, String(other), `${m[0]} → ${other}`);
  });
  // Decimal constants written as strings, dec('0.08') / new Decimal('1e15'): ± one unit in the last place.
  for (const m of src.matchAll(/(?:dec|new Decimal)\('(\d+)(?:\.(\d+))?'\)/g)) {
    if (!mask[m.index]) continue;
    const places = m[2]?.length ?? 0;
    const scaled = BigInt(`${m[1]}${m[2] ?? ''}`);
    const at = m.index + m[0].indexOf("'") + 1;
    const length = m[0].length - m[0].indexOf("'") - 3;
    for (const other of [scaled + 1n, scaled - 1n]) {
      if (other < 0n) continue;
      const digits = other.toString().padStart(places + 1, '0');
      const text = places ? `${digits.slice(0, -places)}.${digits.slice(-places)}` : digits;
      add(at, length, text, `'${src.slice(at, at + length)}' → '${text}'`);
    }
  }
  // Negation dropped.
  each(/\.negated\(\)/g, (m) => add(m.index, m[0].length, '', '.negated() removed'));
  // Rules of the contract no generic rule makes.
  for (const s of SPECIFIC.filter((s) => s.file === file)) {
    const at = src.indexOf(s.find);
    if (at === -1) {
      console.warn(`[decimal-mutants] ${file}: "${s.find}" not found (the file changed?): the mutant "${s.rule}" is skipped`);
      continue;
    }
    add(at, s.find.length, s.replace, s.rule);
  }
  return found;
}

function equivalence(mutant) {
  const match = EQUIVALENT.find((e) => e.file === mutant.file && e.line === mutant.original && e.mutant === mutant.description);
  return match?.reason;
}

// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const opts = { concurrency: 2, list: false, json: path.join(root, 'reports', 'mutation', 'decimal-mutants.json'), only: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--concurrency') opts.concurrency = Math.max(1, Number(argv[++i]));
    else if (arg === '--list') opts.list = true;
    else if (arg === '--json') opts.json = path.resolve(argv[++i]);
    else opts.only.push(arg.replace(/\/$/, ''));
  }
  return opts;
}

const tempDirs = [];
function cleanUp() {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A throw-away copy of what the unit specs need; node_modules is linked, not copied. */
function makeCopy() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-decimal-mutants-'));
  tempDirs.push(dir);
  for (const entry of ['src', 'package.json', 'jest.config.js', 'test/setup', 'test/mutation']) {
    mkdirSync(path.dirname(path.join(dir, entry)), { recursive: true });
    cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  }
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

const jestBin = path.join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const jestEnv = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --no-warnings`.trim(), FORCE_COLOR: '0' };
const jestArgs = (dir) => [jestBin, '-c', path.join(dir, 'test', 'mutation', 'jest.unit.config.js'), '--ci', '--silent', '--bail', '--cacheDirectory', path.join(dir, '.jest-cache')];

/** The specs of the money code (as in stryker.config.mjs); others (scenarios, config…) need files this copy lacks. */
const MONEY_SPECS = /\/src\/(markets|risk|loans|loyalty|accrual|calc|clock|common\/money)\//;

/** The money spec files that import `file`, directly or not. */
function relatedSpecs(dir, file) {
  const result = spawnSync(process.execPath, [...jestArgs(dir), '--listTests', '--findRelatedTests', path.join(dir, file)], { cwd: dir, env: jestEnv, encoding: 'utf8' });
  return result.stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.endsWith('.spec.ts') && MONEY_SPECS.test(line));
}

/** Runs the specs; resolves with 'passed', 'failed' or 'timeout'. */
function runSpecs(dir, specs, timeoutMs = 60_000) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...jestArgs(dir), '--runTestsByPath', ...specs], { cwd: dir, env: jestEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-4000)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve({ outcome: 'timeout', stderr });
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ outcome: code === 0 ? 'passed' : 'failed', stderr });
    });
  });
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = FILES.filter((f) => opts.only.length === 0 || opts.only.some((o) => f === o || f.startsWith(`${o}/`)));
  const mutants = files.flatMap((file) => mutantsOf(file, readFileSync(path.join(root, file), 'utf8')));
  if (opts.list) {
    for (const m of mutants) console.log(`${m.file}:${m.line}  ${m.description}    ${m.original}`);
    console.log(`${mutants.length} mutants`);
    return;
  }
  const started = Date.now();
  const copies = Array.from({ length: Math.min(opts.concurrency, mutants.length) || 1 }, makeCopy);
  const say = (line) => process.stdout.write(`[decimal-mutants] ${line}\n`);

  // Which specs cover each file; each must pass on the unmutated copy first.
  const specsOf = new Map();
  for (const file of files) {
    const specs = relatedSpecs(copies[0], file);
    specsOf.set(file, specs);
    if (specs.length === 0) continue;
    const baseline = await runSpecs(copies[0], specs);
    if (baseline.outcome !== 'passed') {
      say(`the specs of ${file} fail without any mutant: fix them first\n${baseline.stderr}`);
      process.exitCode = 1;
      return;
    }
  }
  say(`${mutants.length} mutants in ${files.length} files, ${copies.length} at a time`);

  const results = [];
  let next = 0;
  let done = 0;
  async function worker(dir) {
    while (next < mutants.length) {
      const mutant = mutants[next++];
      const specs = specsOf.get(mutant.file);
      const target = path.join(dir, mutant.file);
      const original = readFileSync(target, 'utf8');
      let status;
      if (specs.length === 0) {
        status = 'no coverage';
      } else {
        writeFileSync(target, mutant.source);
        try {
          const run = await runSpecs(dir, specs);
          status = run.outcome === 'passed' ? 'survived' : run.outcome === 'timeout' ? 'timeout' : 'killed';
        } finally {
          writeFileSync(target, original); // the copy's file, for the next mutant of this worker
        }
      }
      const reason = status === 'survived' ? equivalence(mutant) : undefined;
      if (reason) status = 'equivalent';
      results.push({ file: mutant.file, line: mutant.line, description: mutant.description, original: mutant.original, status, reason });
      done += 1;
      if (done % 25 === 0 || done === mutants.length) say(`${done}/${mutants.length}`);
    }
  }
  await Promise.all(copies.map(worker));

  // Report.
  const byFile = new Map(files.map((f) => [f, { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0 }]));
  for (const r of results) {
    const row = byFile.get(r.file);
    if (r.status === 'killed') row.killed += 1;
    else if (r.status === 'timeout') row.timeout += 1;
    else if (r.status === 'survived') row.survived += 1;
    else if (r.status === 'equivalent') row.equivalent += 1;
    else row.noCoverage += 1;
  }
  const score = (r) => {
    const valid = r.killed + r.timeout + r.survived + r.noCoverage;
    return valid === 0 ? 'n/a' : `${((100 * (r.killed + r.timeout)) / valid).toFixed(2)}`;
  };
  const sortKey = (r) => `${r.file}:${String(r.line).padStart(5, '0')}`;
  const survivors = results.filter((r) => r.status === 'survived' || r.status === 'no coverage').sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  const equivalents = results.filter((r) => r.status === 'equivalent').sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
  const out = [];
  out.push('', 'Decimal-aware mutants (scripts/decimal-mutants.mjs)');
  for (const r of survivors) out.push(`[${r.status === 'survived' ? 'Survived' : 'NoCoverage'}] ${r.file}:${r.line}  ${r.description}\n    ${r.original}`);
  for (const r of equivalents) out.push(`[Equivalent] ${r.file}:${r.line}  ${r.description}\n    ${r.original}\n    (${r.reason})`);
  const header = ['File', 'score %', 'killed', 'timeout', 'survived', 'no cov', 'equivalent'];
  const rows = [...byFile].map(([file, r]) => [file.replace(/^src\//, ''), score(r), r.killed, r.timeout, r.survived, r.noCoverage, r.equivalent]);
  const all = [...byFile.values()].reduce(
    (a, r) => ({ killed: a.killed + r.killed, timeout: a.timeout + r.timeout, survived: a.survived + r.survived, noCoverage: a.noCoverage + r.noCoverage, equivalent: a.equivalent + r.equivalent }),
    { killed: 0, timeout: 0, survived: 0, noCoverage: 0, equivalent: 0 },
  );
  rows.unshift(['All files', score(all), all.killed, all.timeout, all.survived, all.noCoverage, all.equivalent]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const fmt = (cells) => `| ${cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`;
  out.push('', rule, fmt(header), rule, ...rows.map(fmt), rule);
  out.push(`Score = (killed + timeout) / (all − equivalent). ${mutants.length} mutants in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
  process.stdout.write(`${out.join('\n')}\n`);
  mkdirSync(path.dirname(opts.json), { recursive: true });
  writeFileSync(opts.json, `${JSON.stringify({ files: Object.fromEntries([...byFile].map(([f, r]) => [f, { ...r, score: score(r) }])), results }, null, 2)}\n`);
  say(`report written to ${path.relative(root, opts.json)}`);
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}
process.on('exit', cleanUp);
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
