#!/usr/bin/env node
// `npm run sandbox`: one command from a fresh clone to a running LendLab.
//   installs dependencies, generates the Prisma client, compiles; starts PostgreSQL (embedded,
//   or DATABASE_URL) and Redis (a local redis-server, or REDIS_URL); applies migrations; seeds
//   the demo world; starts the API with its workers; prints URLs and keys. Ctrl-C stops
//   everything it started. `npm run sandbox -- --reset` wipes the sandbox's data first.
//   `npm run sandbox -- --preset aave-v3` (or LENDLAB_PRESET=aave-v3) applies a product preset
//   (src/presets) once the API is up, through POST /v1/presets/:name/apply; the banner names it.
//   Before anything slow it reads .env and checks every variable (scripts/lib/config-check.mjs).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureBuilt, ensureConsoleBuilt, ensureDependencies, ensurePrismaClient } from './lib/deps.mjs';
import { loadEnvFile, sandboxConfigProblems } from './lib/config-check.mjs';
import * as services from './lib/services.mjs';
import { messageOf } from './lib/services.mjs';
import { NODE_FLAGS } from './lib/node-flags.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const say = (line) => process.stdout.write(`[sandbox] ${line}\n`);
const stoppers = [];
let stopping = false;

if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(
    'npm run sandbox [-- --reset] [-- --preset <name>]\n\n' +
      'Starts PostgreSQL (embedded), Redis, the API and its workers, seeds a demo world and prints URLs and keys.\n' +
      '  --reset   start from an empty world (wipes the sandbox\'s database and demo keys)\n' +
      '  --preset  apply a product preset at start: lendlab (the engine\'s own rules), nexo, backpack-jp, aave-v3, compound-v3\n' +
      '            (also LENDLAB_PRESET; without either, the markets and settings stay as stored)\n\n' +
      'Environment (or .env): PORT, ADMIN_API_KEY, LENDLAB_DATA_DIR, LENDLAB_PG_PORT, LENDLAB_REDIS_PORT, DATABASE_URL, REDIS_URL,\n' +
      'CLOCK_MODE, LOG_LEVEL (default warn in the sandbox) and the rest listed with their rules in .env.example.\n',
  );
  process.exit(0);
}

/** A URL with its password hidden, for messages. */
function shown(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  if (stoppers.length === 0) process.exit(code);
  say('stopping...');
  for (const stop of stoppers.reverse()) {
    try {
      await stop();
    } catch (error) {
      say(`while stopping: ${messageOf(error)}`);
    }
  }
  say('stopped.');
  process.exit(code);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
process.on('SIGHUP', () => stopAll(0));

/** Something a user can fix: printed as it is, without a stack, and the sandbox exits with 2. */
class SetupProblem extends Error {}

/**
 * Before anything slow: .env read, every variable checked against its rule, the ports free and
 * the servers named by DATABASE_URL and REDIS_URL answering. Only Node's own modules here.
 */
async function checkFirst() {
  const envFile = process.env.LENDLAB_ENV_FILE === 'none' ? undefined : path.resolve(process.env.LENDLAB_ENV_FILE || path.join(root, '.env'));
  if (process.env.LENDLAB_ENV_FILE && envFile && !existsSync(envFile)) throw new SetupProblem(`LENDLAB_ENV_FILE names ${envFile}, which does not exist.`);
  if (envFile) {
    let loaded;
    try {
      loaded = loadEnvFile(envFile);
    } catch (error) {
      throw new SetupProblem(`${envFile} cannot be read as NAME=value lines: ${messageOf(error)}`);
    }
    if (existsSync(envFile)) say(`read ${path.relative(process.cwd(), envFile) || envFile}${loaded.length ? ` (${loaded.join(', ')})` : ' (everything in it is already set in the environment)'}`);
  }
  const problems = sandboxConfigProblems(process.env);
  if (problems.length) {
    throw new SetupProblem(
      `The configuration is not valid, so nothing was started:\n  ${problems.join('\n  ')}\n` +
        `Fix it in the environment${envFile && existsSync(envFile) ? ` or in ${envFile}` : ''}; .env.example lists every variable with its rule.`,
    );
  }
  const preset = requestedPreset();
  const known = preset === undefined ? undefined : presetNamesFromSources();
  if (known && !known.includes(preset)) throw unknownPreset(preset, known);
  const port = Number(process.env.PORT || 3000);
  if (!(await services.portIsFree(port))) {
    throw new SetupProblem(
      `Port ${port} (PORT) is already in use on 127.0.0.1: another sandbox, or another program. ` +
        `Choose another port (PORT=${port + 1} npm run sandbox), or stop what listens there. ` +
        'A second sandbox beside the first also needs its own data folder (LENDLAB_DATA_DIR).',
    );
  }
  for (const [name, url, defaultPort, advice] of [
    ['DATABASE_URL', process.env.DATABASE_URL, 5432, 'start that PostgreSQL (with Docker: docker compose up -d --wait), correct DATABASE_URL, or unset it and let the sandbox start its own'],
    ['REDIS_URL', process.env.REDIS_URL, 6379, 'start that Redis (with Docker: docker compose up -d --wait), correct REDIS_URL, or unset it and let the sandbox start its own'],
  ]) {
    if (!url) continue;
    const { hostname, port: p } = new URL(url);
    const host = hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
    const answer = await services.tcpAnswers(host, Number(p || defaultPort));
    if (answer !== true) {
      throw new SetupProblem(`${name} is ${shown(url)}, but nothing answers at ${host}:${p || defaultPort} (${answer}). What to do: ${advice}.`);
    }
  }
}

/** `--preset <name>`, `--preset=<name>` or LENDLAB_PRESET; undefined when none is asked for. */
function requestedPreset() {
  const i = args.findIndex((a) => a === '--preset' || a.startsWith('--preset='));
  if (i < 0) return process.env.LENDLAB_PRESET || undefined;
  const value = args[i].includes('=') ? args[i].slice('--preset='.length) : args[i + 1];
  if (!value || value.startsWith('--')) throw new SetupProblem('--preset needs a name, e.g. npm run sandbox -- --preset aave-v3');
  return value;
}

/**
 * The presets' names read from their sources (src/presets), in the order of src/presets/index.ts,
 * without compiling anything: so an unknown name stops the sandbox before anything slow. When
 * the sources cannot be read this way, undefined: the compiled list (checkedPreset) decides.
 */
function presetNamesFromSources() {
  try {
    const dir = path.join(root, 'src', 'presets');
    const order = /\[([A-Z0-9_, ]+)\]\.map\(\(p\) => \[p\.name, p\]\)/.exec(readFileSync(path.join(dir, 'index.ts'), 'utf8'))?.[1].split(',').map((c) => c.trim());
    const names = new Map();
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      for (const m of readFileSync(path.join(dir, file), 'utf8').matchAll(/export const ([A-Z0-9_]+): Preset = \{\s*name: '([a-z0-9-]+)'/g)) names.set(m[1], m[2]);
    }
    const listed = order?.map((constant) => names.get(constant));
    return listed?.length && listed.every(Boolean) ? listed : undefined;
  } catch {
    return undefined;
  }
}

function unknownPreset(name, known) {
  return new SetupProblem(`There is no preset "${name}", so nothing was started. Known presets: ${known.join(', ')} (docs/presets.md).`);
}

/** The preset asked for, checked against the compiled list before any server starts. */
async function checkedPreset() {
  const name = requestedPreset();
  if (name === undefined) return undefined;
  const { PRESETS } = await import(pathToFileURL(path.join(root, 'dist', 'src', 'presets', 'index.js')).href);
  if (!Object.hasOwn(PRESETS, name)) throw unknownPreset(name, Object.keys(PRESETS));
  return PRESETS[name];
}

/** Applies the preset through the API, as an admin would; what it could and could not apply, for the banner. */
async function applyPreset(base, adminKey, preset) {
  const response = await fetch(`${base}/v1/presets/${encodeURIComponent(preset.name)}/apply`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}` } });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(`applying the preset ${preset.name} failed (${response.status}): ${JSON.stringify(body)}`);
  return body;
}

async function main() {
  await checkFirst();
  ensureDependencies(root, say);
  ensurePrismaClient(root, say);
  ensureBuilt(root, say);
  const preset = await checkedPreset();
  ensureConsoleBuilt(root, say);
  const { applyMigrations } = await import('./lib/migrate.mjs');

  const reset = args.includes('--reset');
  const dataDir = path.resolve(process.env.LENDLAB_DATA_DIR || path.join(root, '.lendlab'));
  const postgresDir = services.postgresDirFor(dataDir);
  const keysFile = path.join(dataDir, 'sandbox-keys.json');
  if (reset) {
    say(`--reset: wiping ${dataDir}${postgresDir.startsWith(dataDir) ? '' : ` and ${postgresDir}`}`);
    if (!process.env.DATABASE_URL) rmSync(postgresDir, { recursive: true, force: true });
    rmSync(keysFile, { force: true });
  }
  mkdirSync(dataDir, { recursive: true });

  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    say(`PostgreSQL: using DATABASE_URL (${shown(databaseUrl)})`);
    await reachable('DATABASE_URL', databaseUrl, () => (reset ? wipeSchema(databaseUrl) : probe(databaseUrl)));
  } else {
    const port = Number(process.env.LENDLAB_PG_PORT) || ((await services.portIsFree(54329)) ? 54329 : await services.freePort());
    say(`PostgreSQL: starting the embedded server (data in ${postgresDir}, port ${port})...`);
    const pgServer = await services.startEmbeddedPostgres({ dataDir: postgresDir, port });
    stoppers.push(() => pgServer.stop());
    databaseUrl = await services.ensureDatabase(pgServer.url, 'lendlab');
  }

  let redisUrl = process.env.REDIS_URL;
  if (redisUrl) {
    say(`Redis: using REDIS_URL (${shown(redisUrl)})`);
  } else {
    const port = Number(process.env.LENDLAB_REDIS_PORT) || ((await services.portIsFree(63799)) ? 63799 : await services.freePort());
    say(`Redis: starting redis-server on port ${port}...`);
    const recent = [];
    const redis = await services
      .startRedis({ port, dir: path.join(dataDir, 'redis'), log: (line) => recent.push(line) && recent.length > 10 && recent.shift() })
      .catch((error) => {
        throw new SetupProblem(
          `Redis could not start on port ${port}: ${messageOf(error)}${recent.length ? `\nIts last words:\n  | ${recent.join('\n  | ')}` : ''}\n` +
            'What to do: choose another port (LENDLAB_REDIS_PORT=<port>), or set REDIS_URL to a Redis you already run.',
        );
      });
    stoppers.push(() => redis.stop());
    redisUrl = redis.url;
  }

  // For `npm run studio` (and anyone who wants the tables): the database this sandbox uses.
  writeFileSync(path.join(dataDir, 'database-url'), databaseUrl + '\n', { mode: 0o600 });
  const applied = await reachable('DATABASE_URL', databaseUrl, () => applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'), say));
  say(applied.length ? `applied ${applied.length} migration(s)` : 'database schema is up to date');

  const adminKey = process.env.ADMIN_API_KEY || persistedAdminKey(path.join(dataDir, 'admin-key'));
  const port = process.env.PORT || '3000';
  // Quiet by default: Nest's start-up lines and a line per request would push the banner off
  // the screen. LOG_LEVEL=info shows them.
  const logLevel = process.env.LOG_LEVEL || 'warn';
  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, ADMIN_API_KEY: adminKey, PORT: port, LOG_LEVEL: logLevel };

  say('seeding the demo world...');
  await runToEnd('node', [path.join(root, 'dist', 'prisma', 'seed.js'), keysFile], env);

  say(`starting the API and workers (log level ${logLevel})...`);
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
  let presetLines = ['  Preset        none applied at this start: markets and settings as stored (a new world has LendLab\'s own rules; --preset <name> applies one)'];
  if (preset) {
    say(`applying the preset ${preset.name}...`);
    const applied = await applyPreset(base, adminKey, preset);
    presetLines = [
      `  Preset        ${preset.name}: ${preset.title} (${applied.applied.length} rule(s) applied; docs/presets.md)`,
      ...applied.notApplied.map((line) => `                not modelled: ${line}`),
    ];
  }
  const house = keys.house;
  const lines = [
    '',
    'LendLab sandbox is running.',
    `  Console       ${base}/   (sign in with a key, or open a link below)`,
    `  API           ${base}/v1`,
    `  OpenAPI docs  ${base}/docs   (document: ${base}/docs-json)`,
    `  Health        ${base}/health`,
    `  Queues        ${base}/admin/queues   (user: anything, password: the admin key)`,
    `  Database      ${databaseUrl}   (browse it: npm run studio)`,
    `  Data          ${postgresDir.startsWith(dataDir) || process.env.DATABASE_URL ? dataDir : `${dataDir} (Postgres: ${postgresDir})`}`,
    `  Logs          level ${logLevel}${process.env.LOG_LEVEL ? '' : ' (LOG_LEVEL=info shows every request)'}`,
    ...presetLines,
    '',
    `  Admin key     ${adminKey}`,
    ...Object.entries(keys.users).map(([name, user]) => `  ${name.padEnd(13)} key ${user.apiKey}   main account ${user.accountId}`),
    ...(house
      ? [`  Liquidity     the house lender supplies every market: ${Object.entries(house.supplied).map(([asset, amount]) => `${amount} ${asset}`).join(', ')}`]
      : []),
    '',
    'Open the console (the key stays in the link\'s fragment and the tab; it is never sent in a URL):',
    `  as the admin  ${base}/#key=${encodeURIComponent(adminKey)}`,
    ...Object.entries(keys.users).map(([name, user]) => `  as ${name.padEnd(10)} ${base}/#key=${encodeURIComponent(user.apiKey)}`),
    '',
    'Try:',
    `  curl -s ${base}/v1/markets/USDC -H "Authorization: Bearer ${adminKey}"`,
    `  The README's "A first session with curl" starts with: ADMIN=${adminKey} API=${base}`,
    '',
    'Ctrl-C stops everything; `npm run sandbox -- --reset` starts from an empty world.',
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

/** Runs `work`; a connection that nothing answers becomes a sentence saying which URL and what to do. */
async function reachable(name, url, work) {
  try {
    return await work();
  } catch (error) {
    const code = error?.code ?? error?.errors?.[0]?.code;
    if (['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code)) {
      throw new SetupProblem(
        `${name} is ${shown(url)}, but nothing answers there (${code}). What to do: start that server ` +
          `(with Docker: docker compose up -d --wait), correct ${name}, or unset it and let the sandbox start its own.`,
      );
    }
    if (code === '28P01' || code === '3D000' || code === '28000') {
      throw new SetupProblem(`${name} is ${shown(url)}: the server answers but refuses it (${messageOf(error)}). Check the user, password and database name (docker-compose.yml's are lendlab/lendlab/lendlab).`);
    }
    throw error;
  }
}

async function probe(databaseUrl) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  await client.end();
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
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${command} ${commandArgs.join(' ')} exited ${code ?? signal}`))));
  });
}

main().catch(async (error) => {
  // Never crash here: whatever was thrown (an Error, a string, nothing at all) is printed.
  const setup = error instanceof SetupProblem || error?.name === 'PostgresStartError';
  process.stderr.write(`[sandbox] ${setup ? messageOf(error) : (error instanceof Error && error.stack) || messageOf(error)}\n`);
  await stopAll(setup ? 2 : 1);
});
