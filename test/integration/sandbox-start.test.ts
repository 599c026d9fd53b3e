import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, messageOf, startEmbeddedPostgres } from '../../scripts/lib/services.mjs';

/**
 * The sandbox's first hour (issue 13): a bad variable is refused before anything slow, with the
 * rule it breaks; a DATABASE_URL where nothing answers is a sentence; a PostgreSQL that cannot
 * start shows its own last lines, the port and the folder, and never crashes the error path.
 */
const SANDBOX = path.join(process.cwd(), 'scripts', 'sandbox.mjs');

function sandbox(env: Record<string, string>) {
  const started = Date.now();
  const run = spawnSync(process.execPath, [SANDBOX], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LENDLAB_ENV_FILE: 'none', ...env },
  });
  return { status: run.status, out: `${run.stdout}${run.stderr}`, seconds: (Date.now() - started) / 1000 };
}

describe('npm run sandbox checks first', () => {
  it.each([
    [{ ADMIN_API_KEY: 'short' }, 'ADMIN_API_KEY must be 16 to 200 characters (got "short")'],
    [{ PORT: 'abc' }, 'PORT must be an integer from 0 to 65535 (got "abc")'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL must be one of debug, info, warn, error (got "loud")'],
  ])('refuses %j at once, naming the rule, before installing or starting anything', (env, rule) => {
    const result = sandbox(env);
    expect(result.status).toBe(2);
    expect(result.out).toContain(rule);
    expect(result.out).toContain('.env.example');
    expect(result.out).not.toMatch(/Installing|PostgreSQL: starting|TypeError|at .*\.mjs:\d+/);
    expect(result.seconds).toBeLessThan(10);
  });

  it('reads .env, and the real environment wins over it', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-dotenv-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, 'ADMIN_API_KEY=short\nPORT=abc\n');
    const result = sandbox({ LENDLAB_ENV_FILE: file, PORT: '3999' });
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(2);
    expect(result.out).toContain('ADMIN_API_KEY must be 16 to 200 characters (got "short")');
    expect(result.out).not.toContain('PORT must be');
    expect(result.out).toContain(file);
  });

  it('stops at an unknown preset with the list of known ones, before starting any server', async () => {
    const result = sandbox({ LENDLAB_PRESET: 'robinhood', PORT: String(await freePort()) });
    expect(result.status).toBe(2);
    expect(result.out).toContain('There is no preset "robinhood", so nothing was started. Known presets: lendlab, nexo, backpack-jp, aave-v3, compound-v3');
    expect(result.out).not.toMatch(/PostgreSQL: starting|TypeError/);
  });

  it('says which DATABASE_URL answers nothing, and what to do', async () => {
    const port = await freePort();
    const result = sandbox({ DATABASE_URL: `postgresql://lendlab:secret@127.0.0.1:${port}/lendlab`, PORT: String(await freePort()) });
    expect(result.status).toBe(2);
    expect(result.out).toContain(`DATABASE_URL is postgresql://lendlab:***@127.0.0.1:${port}/lendlab, but nothing answers at 127.0.0.1:${port}`);
    expect(result.out).toContain('docker compose up -d --wait');
    expect(result.out).not.toContain('secret');
  });
});

describe('an embedded PostgreSQL that cannot start', () => {
  it('names a port already taken, and what to do', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-pgfail-'));
    const port = await freePort();
    const squatter = net.createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => squatter.once('listening', resolve));
    try {
      const error = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(messageOf(error)).toContain(`port ${port}`);
      expect(messageOf(error)).toContain(path.join(dir, 'pg'));
      expect(messageOf(error)).toContain('LENDLAB_PG_PORT');
    } finally {
      squatter.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows its own last log lines when it exits during start-up', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-pgfail-'));
    chmodSync(dir, 0o755);
    const dataDir = path.join(dir, 'pg');
    try {
      const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), fast: true });
      await first.stop();
      appendFileSync(path.join(dataDir, 'postgresql.conf'), '\nshared_buffers = nonsense\n');
      const port = await freePort();
      const error = await startEmbeddedPostgres({ dataDir, port }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const message = messageOf(error);
      expect(message).toContain(`data folder ${dataDir}, port ${port}`);
      expect(message).toContain('invalid value for parameter "shared_buffers"');
      expect(message).toContain('What to do');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('describes anything thrown, an undefined rejection included', () => {
    expect(messageOf(undefined)).toBe('failed without saying why');
    expect(messageOf('plain')).toBe('plain');
    expect(messageOf(new Error('boom'))).toBe('boom');
    expect(messageOf({ code: 1 })).toBe('{"code":1}');
  });
});
