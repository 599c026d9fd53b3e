#!/usr/bin/env node
// `npm run sandbox`: one command from a fresh clone to a running LendLab.
//   installs dependencies, generates the Prisma client, compiles; starts PostgreSQL (embedded,
//   or DATABASE_URL) and Redis (a local redis-server, or REDIS_URL); applies migrations; seeds
//   the demo world; starts the API with its workers; prints URLs and keys. Ctrl-C stops
//   everything it started. `npm run sandbox -- --reset` wipes the sandbox's data first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBuilt, ensureDependencies, ensurePrismaClient } from './lib/deps.mjs';
import { NODE_FLAGS } from './lib/node-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (line) => process.stdout.write(`[sandbox] ${line}\n`);
const stoppers = [];
let stopping = false;

if (args.includes('--help')) {
  process.stdout.write(
    'npm run sandbox [-- --reset]\n\nEnvironment: PORT, ADMIN_API_KEY, LENDLAB_DATA_DIR, DATABASE_URL, REDIS_URL, CLOCK_MODE, LOG_LEVEL (see .env.example)\n',
  );
  process.exit(0);
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  say('stopping...');
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch (error) {
      say(`while stopping: ${error.message}`);
    }
  }
  say('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
process.on('SIGHUP', () => stopAll(0));

async function main() {
  ensureDependencies(root, say);
  ensurePrismaClient(root, say);
  ensureBuilt(root, say);
  const services = await import('./lib/services.mjs');
  const { applyMigrations } = await import('./lib/migrate.mjs');

  const reset = args.includes('--reset');
  const dataDir = path.resolve(process.env.LENDLAB_DATA_DIR || path.join(root, '.lendlab'));
  const usingDefaultDataDir = !process.env.LENDLAB_DATA_DIR;
  const postgresDir = usingDefaultDataDir ? services.defaultPostgresDir(root) : path.join(dataDir, 'postgres');
  const keysFile = path.join(dataDir, 'sandbox-keys.json');
  if (reset) {
    say(`--reset: wiping ${dataDir}${postgresDir.startsWith(dataDir) ? '' : ` and ${postgresDir}`}`);
    if (!process.env.DATABASE_URL) rmSync(postgresDir, { recursive: true, force: true });
    rmSync(keysFile, { force: true });
  }
  mkdirSync(dataDir, { recursive: true });

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    say(`PostgreSQL: using DATABASE_URL`);
    if (reset) await wipeSchema(databaseUrl);
  } else {
    const port = Number(process.env.LENDLAB_PG_PORT) || ((await services.portIsFree(54329)) ? 54329 : await services.freePort());
    say(`PostgreSQL: starting the embedded server (data in ${postgresDir}, port ${port})...`);
    const pgServer = await services.startEmbeddedPostgres({ dataDir: postgresDir, port, log: () => {} });
    stoppers.push(() => pgServer.stop());
    databaseUrl = await services.ensureDatabase(pgServer.url, 'lendlab');
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    say('Redis: using REDIS_URL');
  } else {
    const port = Number(process.env.LENDLAB_REDIS_PORT) || ((await services.portIsFree(63799)) ? 63799 : await services.freePort());
    say(`Redis: starting redis-server on port ${port}...`);
    const redis = await services.startRedis({ port, dir: path.join(dataDir, 'redis'), log: () => {} });
    stoppers.push(() => redis.stop());
    redisUrl = redis.url;
  }

  const applied = await applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'), say);
  say(applied.length ? `applied ${applied.length} migration(s)` : 'database schema is up to date');

  const adminKey = process.env.ADMIN_API_KEY || persistedAdminKey(path.join(dataDir, 'admin-key'));
  const port = process.env.PORT || '3000';
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ADMIN_API_KEY: adminKey, PORT: port };

  say('seeding the demo world...');
  await runToEnd('node', [path.join(root, 'dist', 'prisma', 'seed.js'), keysFile], env);

  say('starting the API and workers...');
  // The IPC channel tells the API when the sandbox is gone, however it died (main.ts exits then).
  const app = spawn(process.execPath, [...NODE_FLAGS, path.join(root, 'dist', 'src', 'main.js')], {
    env,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
  });
  stoppers.push(
    () =>
      new Promise((resolve) => {
        if (app.exitCode !== null) return resolve();
        app.once('exit', resolve);
        app.kill('SIGTERM');
      }),
  );
  app.on('exit', (code) => {
    if (!stopping) {
      say(`the API exited (code ${code})`);
      stopAll(code || 1);
    }
  });
  await services.waitFor('the API', async () => (await fetch(`http://127.0.0.1:${port}/health`)).ok, 60_000);

  const keys = JSON.parse(readFileSync(keysFile, 'utf8'));
  const base = `http://127.0.0.1:${port}`;
  const lines = [
    '',
    'LendLab sandbox is running.',
    `  API           ${base}/v1`,
    `  OpenAPI docs  ${base}/docs   (document: ${base}/docs-json)`,
    `  Health        ${base}/health`,
    `  Queues        ${base}/admin/queues   (user: anything, password: the admin key)`,
    `  Data          ${postgresDir.startsWith(dataDir) ? dataDir : `${dataDir} (Postgres: ${postgresDir})`}`,
    '',
    `  Admin key     ${adminKey}`,
    ...Object.entries(keys.users).map(([name, user]) => `  ${name.padEnd(13)} key ${user.apiKey}   main account ${user.accountId}`),
    '',
    'Try:',
    `  curl -s ${base}/v1/clock -H "Authorization: Bearer ${adminKey}"`,
    '',
    'Ctrl-C stops everything; `npm run sandbox -- --reset` starts from an empty world.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

function persistedAdminKey(file) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const key = `ll_admin_${randomBytes(18).toString('base64url')}`;
  writeFileSync(file, key + '\n', { mode: 0o600 });
  return key;
}

async function wipeSchema(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  await client.end();
}

function runToEnd(command, commandArgs, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.join(' ')} exited ${code}`))));
  });
}

main().catch(async (error) => {
  process.stderr.write(`[sandbox] ${error.message}\n`);
  await stopAll(1);
});
