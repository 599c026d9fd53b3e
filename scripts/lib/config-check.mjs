// The configuration rules of src/config/app-config.ts, in plain JavaScript, so that
// `npm run sandbox` can check the environment (and .env) before anything slow: before
// `npm install`, the build, Postgres, Redis and the migrations. The messages are the
// application's own, word for word; src/config/app-config.spec.ts checks that the two agree on
// every variable, so a rule changed in one place and not the other fails the tests.
// No imports from node_modules here: this runs before they exist.
import { existsSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { readFileSync } from 'node:fs';

/** Problems with `env`, in the words of loadConfig (src/config/app-config.ts); [] when none. */
export function configProblems(env) {
  const problems = [];
  const raw = (name) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const string = (name, fallback, check) => {
    const value = raw(name) ?? fallback;
    if (value === undefined) return problems.push(`${name} is required`);
    const problem = check?.(value);
    if (problem) problems.push(`${name} ${problem} (got "${value}")`);
  };
  const int = (name, min, max) => {
    const value = raw(name);
    if (value === undefined) return;
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
    }
  };
  const oneOf = (name, fallback, allowed) => {
    const value = raw(name) ?? fallback;
    if (!allowed.includes(value)) problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  };
  const bool = (name) => {
    const value = raw(name);
    if (value !== undefined && !['true', '1', 'false', '0'].includes(value)) problems.push(`${name} must be true or false (got "${value}")`);
  };
  const urlWithScheme = (schemes) => (value) => {
    try {
      return schemes.includes(new URL(value).protocol) ? undefined : `must be a ${schemes.join(' or ')} URL`;
    } catch {
      return 'must be a URL';
    }
  };
  // The same order as loadConfig.
  string('CLOCK_START', '2026-01-01T00:00:00Z', (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v))
      ? undefined
      : 'must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z',
  );
  string('HOST', '127.0.0.1');
  int('PORT', 0, 65535);
  string('DATABASE_URL', undefined, urlWithScheme(['postgres:', 'postgresql:']));
  int('DATABASE_POOL_SIZE', 1, 200);
  int('DATABASE_MOVEMENT_POOL_SIZE', 1, 200);
  string('REDIS_URL', undefined, urlWithScheme(['redis:', 'rediss:']));
  string('QUEUE_PREFIX', 'lendlab', (v) => (/^[A-Za-z0-9_-]{1,40}$/.test(v) ? undefined : 'must be 1-40 letters, digits, _ or -'));
  string('ADMIN_API_KEY', undefined, (v) => (v.length >= 16 && v.length <= 200 ? undefined : 'must be 16 to 200 characters'));
  oneOf('CLOCK_MODE', 'simulated', ['simulated', 'realtime']);
  bool('RUN_WORKERS');
  int('BODY_LIMIT_BYTES', 1024, 10_485_760);
  int('AUTH_FAILURE_LIMIT', 1, 1_000_000);
  int('AUTH_FAILURE_WINDOW_SECONDS', 1, 86_400);
  oneOf('LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error']);
  return problems;
}

/**
 * The sandbox's own check: the application's rules on what the user set (DATABASE_URL,
 * REDIS_URL and ADMIN_API_KEY are the sandbox's to fill in when unset), and the sandbox's
 * variables (its ports must be real ports: it waits for the API on PORT).
 */
export function sandboxConfigProblems(env) {
  const filled = {
    ...env,
    DATABASE_URL: env.DATABASE_URL || 'postgresql://sandbox@127.0.0.1/lendlab',
    REDIS_URL: env.REDIS_URL || 'redis://127.0.0.1:6379',
    ADMIN_API_KEY: env.ADMIN_API_KEY || 'generated-by-the-sandbox',
  };
  const problems = configProblems(filled);
  for (const name of ['PORT', 'LENDLAB_PG_PORT', 'LENDLAB_REDIS_PORT']) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > 65535) {
      const rule = `${name} must be an integer from 1 to 65535 in the sandbox (got "${value}")`;
      if (!problems.some((p) => p.startsWith(`${name} `))) problems.push(rule);
    }
  }
  return problems;
}

/**
 * Reads `file` (a .env file: NAME=value lines) into `env` without overriding what is already
 * set there: the real environment wins over the file. Returns the names it set (none when
 * there is no file). An empty value in the environment counts as set.
 */
export function loadEnvFile(file, env = process.env) {
  if (!existsSync(file)) return [];
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  const set = [];
  for (const [name, value] of Object.entries(parsed)) {
    if (env[name] !== undefined) continue;
    env[name] = value;
    set.push(name);
  }
  return set;
}
