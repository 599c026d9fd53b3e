#!/usr/bin/env node
// `npm run bench [-- <name>]`: builds, then runs the whole suite (bench/suite.ts, which writes
// bench/results.md), or one benchmark: accrual, throughput, liquidation, year or memory-at-rest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, ensureDependencies, ensurePrismaClient } from './lib/deps.mjs';
import { NODE_FLAGS } from './lib/node-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stdout.write(`[bench] ${line}\n`);
ensureDependencies(root, say);
ensurePrismaClient(root, say);
ensureBuilt(root, say);
const BENCHMARKS = ['suite', 'accrual', 'throughput', 'liquidation', 'year', 'memory-at-rest'];
const name = process.argv[2] ?? 'suite';
if (!BENCHMARKS.includes(name)) {
  say(`unknown benchmark "${name}"; choose one of: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}
const result = spawnSync(process.execPath, [...NODE_FLAGS, path.join(root, 'dist', 'bench', `${name}.js`)], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
