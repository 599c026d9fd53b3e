import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';
import { configProblems, loadEnvFile, sandboxConfigProblems } from '../../scripts/lib/config-check.mjs';

const VALID = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/lendlab',
  REDIS_URL: 'redis://127.0.0.1:6379',
  ADMIN_API_KEY: 'an-admin-key-of-enough-length',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('applies documented defaults', () => {
    const config = loadConfig(VALID);
    expect(config.port).toBe(3000);
    expect(config.clockMode).toBe('simulated');
    expect(config.clockStart.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(config.runWorkers).toBe(true);
  });

  it.each([
    ['PORT', 'seventy', 'PORT must be an integer'],
    ['PORT', '70000', 'PORT must be an integer'],
    ['DATABASE_URL', 'mysql://x', 'DATABASE_URL must be a postgres'],
    ['REDIS_URL', 'not a url', 'REDIS_URL must be a URL'],
    ['ADMIN_API_KEY', 'short', 'ADMIN_API_KEY must be 16 to 200'],
    ['CLOCK_MODE', 'fast', 'CLOCK_MODE must be one of simulated, realtime'],
    ['CLOCK_START', '2026-13-01', 'CLOCK_START must be an ISO-8601'],
    ['RUN_WORKERS', 'maybe', 'RUN_WORKERS must be true or false'],
  ])('refuses %s=%s, naming the variable', (name, value, expected) => {
    const problems = problemsOf({ ...VALID, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('lists every missing required variable at once', () => {
    expect(problemsOf({})).toEqual(['DATABASE_URL is required', 'REDIS_URL is required', 'ADMIN_API_KEY is required']);
  });
});

describe('the sandbox checks the same rules before anything slow (scripts/lib/config-check.mjs)', () => {
  const BAD: Record<string, string[]> = {
    CLOCK_START: ['2026-13-01', 'yesterday', '2026-01-01T00:00:00+02:00'],
    HOST: [''],
    PORT: ['abc', '-1', '65536', '3000.5', ' 3000'],
    DATABASE_URL: ['mysql://x', 'not a url', ''],
    DATABASE_POOL_SIZE: ['0', '201', 'many'],
    DATABASE_MOVEMENT_POOL_SIZE: ['0', '201', 'four'],
    REDIS_URL: ['http://x', 'nope', ''],
    QUEUE_PREFIX: ['a b', 'x'.repeat(41), 'é'],
    ADMIN_API_KEY: ['short', 'x'.repeat(15), 'x'.repeat(201), ''],
    CLOCK_MODE: ['fast', 'Simulated'],
    RUN_WORKERS: ['maybe', 'yes', 'TRUE'],
    BODY_LIMIT_BYTES: ['1023', '10485761', '1e5'],
    AUTH_FAILURE_LIMIT: ['0', 'x'],
    AUTH_FAILURE_WINDOW_SECONDS: ['0', '86401'],
    LOG_LEVEL: ['verbose', 'WARN'],
  };
  const GOOD: Record<string, string[]> = {
    PORT: ['0', '1', '65535'],
    CLOCK_START: ['2030-06-01T12:00:00.5Z'],
    RUN_WORKERS: ['true', '1', 'false', '0'],
    LOG_LEVEL: ['debug', 'info', 'warn', 'error'],
    ADMIN_API_KEY: ['x'.repeat(16), 'x'.repeat(200)],
    REDIS_URL: ['rediss://h:1'],
    DATABASE_URL: ['postgres://h/db'],
  };

  it('names the same problems as loadConfig for every variable it reads, good and bad', () => {
    for (const [name, values] of [...Object.entries(BAD), ...Object.entries(GOOD)]) {
      for (const value of values) {
        const env = { ...VALID, [name]: value };
        expect({ name, value, problems: configProblems(env) }).toEqual({ name, value, problems: problemsOf(env) });
      }
    }
    expect(configProblems({})).toEqual(problemsOf({}));
    expect(configProblems({ PORT: 'abc', ADMIN_API_KEY: 'short', LOG_LEVEL: 'loud' })).toEqual(problemsOf({ PORT: 'abc', ADMIN_API_KEY: 'short', LOG_LEVEL: 'loud' }));
  });

  it('covers every variable loadConfig reads, and .env.example documents each one', () => {
    const read = new Set<string>();
    const spy = new Proxy({ ...VALID } as Record<string, string | undefined>, {
      get(target, key) {
        if (typeof key === 'string') read.add(key);
        return target[key as string];
      },
    });
    loadConfig(spy);
    expect([...read].sort()).toEqual(Object.keys(BAD).sort());
    const example = readFileSync(path.join(process.cwd(), '.env.example'), 'utf8');
    for (const name of read) expect({ name, documented: new RegExp(`^#?\\s*${name}=`, 'm').test(example) }).toEqual({ name, documented: true });
  });

  it('leaves the sandbox its own variables to fill in, and wants real ports', () => {
    expect(sandboxConfigProblems({})).toEqual([]);
    expect(sandboxConfigProblems({ PORT: 'abc' })).toEqual(['PORT must be an integer from 0 to 65535 (got "abc")']);
    expect(sandboxConfigProblems({ PORT: '0' })).toEqual(['PORT must be an integer from 1 to 65535 in the sandbox (got "0")']);
    expect(sandboxConfigProblems({ ADMIN_API_KEY: 'short' })).toEqual(['ADMIN_API_KEY must be 16 to 200 characters (got "short")']);
    expect(sandboxConfigProblems({ LENDLAB_PG_PORT: 'x' })).toEqual(['LENDLAB_PG_PORT must be an integer from 1 to 65535 in the sandbox (got "x")']);
  });

  it('reads .env without overriding the real environment', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-env-'));
    const file = path.join(dir, '.env');
    writeFileSync(file, '# a comment\nPORT=3100\nLOG_LEVEL=debug\nADMIN_API_KEY="a key with spaces in it"\n');
    const env: Record<string, string | undefined> = { PORT: '3200' };
    expect(loadEnvFile(file, env).sort()).toEqual(['ADMIN_API_KEY', 'LOG_LEVEL']);
    expect(env).toEqual({ PORT: '3200', LOG_LEVEL: 'debug', ADMIN_API_KEY: 'a key with spaces in it' });
    expect(loadEnvFile(path.join(dir, 'missing'), env)).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
});
