#!/usr/bin/env node
// `npm run scenario -- <file.yaml> [--out <folder>]`: a fresh, throw-away Postgres and Redis,
// a migrated database, then the scenario (dist/src/scenario-cli.js) against the real
// application and workers. Results go to scenario-results/<name>/ unless --out says otherwise.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, ensureDependencies, ensurePrismaClient } from './lib/deps.mjs';
import { NODE_FLAGS } from './lib/node-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const say = (line) => process.stderr.write(`[scenario] ${line}\n`);
const USAGE = `usage: npm run scenario -- <scenario.yaml> [--out <folder>]

Plays a scenario (see scenarios/ and the README's Scenarios section) on a fresh, throw-away
Postgres and Redis against the real application and workers, prints a table per day and writes
result.json, report.html and summary.txt to scenario-results/<file name>/ (or --out <folder>).
A file naming several presets (presets: [lendlab, nexo]) is played once per preset, each on a
fresh database, and compared: comparison.html / .json / .txt, each preset's run in <preset>/.
Exit codes: 0 as expected, 1 an expectation or a step failed, 2 a broken file or a run that
could not go on.
`;
const cliArgs = process.argv.slice(2);
if (cliArgs.includes('--help') || cliArgs.includes('-h')) {
  process.stdout.write(USAGE); // help is not an error
  process.exit(0);
}
if (!cliArgs.some((a, i) => !a.startsWith('--') && cliArgs[i - 1] !== '--out')) {
  process.stderr.write(USAGE);
  process.exit(2);
}
ensureDependencies(root, say);
ensurePrismaClient(root, say);
ensureBuilt(root, say);
const { ensureDatabase, freePort, messageOf, startEmbeddedPostgres, startRedis } = await import('./lib/services.mjs');
const { applyMigrations } = await import('./lib/migrate.mjs');

const workDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-scenario-'));
chmodSync(workDir, 0o755);
let code = 2;
let postgres;
let redis;
try {
  postgres = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort(), persistent: false, fast: true });
  redis = await startRedis({ port: await freePort(), dir: path.join(workDir, 'redis') });
  const databaseUrl = await ensureDatabase(postgres.url, 'scenario');
  await applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'));
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'dist', 'src', 'scenario-cli.js'), ...process.argv.slice(2)], {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        REDIS_URL: redis.url,
        QUEUE_PREFIX: `scenario${randomBytes(4).toString('hex')}`,
        ADMIN_API_KEY: `ll_admin_${randomBytes(12).toString('hex')}`,
      },
      stdio: 'inherit',
    });
    child.on('exit', (status) => resolve(status ?? 2));
  });
} catch (error) {
  // Whatever was thrown (an Error, a string, nothing at all): said, never a crash of its own.
  say(`the scenario could not run: ${messageOf(error)}`);
  code = 2;
} finally {
  await redis?.stop().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
process.exit(code);
