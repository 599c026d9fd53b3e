import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './app-config.js';

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
