import { availableParallelism } from 'node:os';

/**
 * Every environment variable LendLab reads, validated once at start-up. A bad value stops the
 * process with a message naming the variable; nothing else in the code reads process.env.
 * `.env.example` documents the same list.
 */
export interface AppConfig {
  host: string;
  port: number;
  databaseUrl: string;
  databasePoolSize: number;
  movementPoolSize: number;
  redisUrl: string;
  queuePrefix: string;
  adminApiKey: string;
  clockMode: 'simulated' | 'realtime';
  clockStart: Date;
  runWorkers: boolean;
  bodyLimitBytes: number;
  authFailureLimit: number;
  authFailureWindowSeconds: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value === '' ? undefined : value;
  }

  string(name: string, fallback?: string, check?: (v: string) => string | undefined): string {
    const value = this.raw(name) ?? fallback;
    if (value === undefined) {
      this.problems.push(`${name} is required`);
      return '';
    }
    const problem = check?.(value);
    if (problem) this.problems.push(`${name} ${problem} (got "${value}")`);
    return value;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^[0-9]+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer from ${min} to ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  oneOf<T extends string>(name: string, fallback: T, allowed: readonly T[]): T {
    const value = this.raw(name) ?? fallback;
    if (!allowed.includes(value as T)) {
      this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
      return fallback;
    }
    return value as T;
  }

  bool(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    this.problems.push(`${name} must be true or false (got "${value}")`);
    return fallback;
  }
}

const urlWithScheme = (schemes: string[]) => (value: string) => {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) ? undefined : `must be a ${schemes.join(' or ')} URL`;
  } catch {
    return 'must be a URL';
  }
};

export function loadConfig(env: Env): AppConfig {
  const read = new Reader(env);
  const clockStart = read.string('CLOCK_START', '2026-01-01T00:00:00Z', (v) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v))
      ? undefined
      : 'must be an ISO-8601 UTC time such as 2026-01-01T00:00:00Z',
  );
  const config: AppConfig = {
    host: read.string('HOST', '127.0.0.1'),
    port: read.int('PORT', 3000, 0, 65535),
    databaseUrl: read.string('DATABASE_URL', undefined, urlWithScheme(['postgres:', 'postgresql:'])),
    databasePoolSize: read.int('DATABASE_POOL_SIZE', 20, 1, 200),
    movementPoolSize: read.int('DATABASE_MOVEMENT_POOL_SIZE', Math.min(200, Math.max(2, availableParallelism())), 1, 200),
    redisUrl: read.string('REDIS_URL', undefined, urlWithScheme(['redis:', 'rediss:'])),
    queuePrefix: read.string('QUEUE_PREFIX', 'lendlab', (v) =>
      /^[A-Za-z0-9_-]{1,40}$/.test(v) ? undefined : 'must be 1-40 letters, digits, _ or -',
    ),
    adminApiKey: read.string('ADMIN_API_KEY', undefined, (v) =>
      v.length >= 16 && v.length <= 200 ? undefined : 'must be 16 to 200 characters',
    ),
    clockMode: read.oneOf('CLOCK_MODE', 'simulated', ['simulated', 'realtime'] as const),
    clockStart: new Date(clockStart),
    runWorkers: read.bool('RUN_WORKERS', true),
    bodyLimitBytes: read.int('BODY_LIMIT_BYTES', 65536, 1024, 10_485_760),
    authFailureLimit: read.int('AUTH_FAILURE_LIMIT', 30, 1, 1_000_000),
    authFailureWindowSeconds: read.int('AUTH_FAILURE_WINDOW_SECONDS', 60, 1, 86_400),
    logLevel: read.oneOf('LOG_LEVEL', 'info', ['debug', 'info', 'warn', 'error'] as const),
  };
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}
