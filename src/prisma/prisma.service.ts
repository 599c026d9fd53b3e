import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Long enough for a day of accrual on a large world; short enough to free a stuck connection. */
const TRANSACTION_TIMEOUT_MS = 120_000;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  /**
   * The connections Prisma uses, shared with the API key lookup, which talks to the pg driver
   * directly: Prisma's per-statement overhead is about three times the driver's.
   */
  readonly pool: pg.Pool;

  /**
   * The money movements' own connections (deposits, withdrawals, repayments through their SQL
   * functions), fewer than Prisma's: by default one per core, at least two (DATABASE_MOVEMENT_POOL_SIZE).
   * More would not move money faster on those cores: they keep more transactions open at once
   * and spread the same statements over more backends, and a deposit's Postgres CPU at 8 clients
   * rose with them (README, Benchmarks: about 1.8 ms with 20 and 1.3 ms with 4 when a deposit
   * cost more; since it costs less, 0.8–1.1 ms with 2 against 1.0–1.4 ms with 4). A movement takes
   * nothing from the other pool while it holds one of these, so neither pool can wait on the
   * other. They stay open through short pauses (five idle minutes, not pg-pool's 10 s), since a
   * new backend plans every statement of the money functions again; TCP keep-alive finds a
   * connection that a network dropped silently while it waited, not the movement that next uses it.
   */
  readonly movementPool: pg.Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = openPool(config.databaseUrl, config.databasePoolSize);
    super({
      adapter: new PrismaPg(pool),
      transactionOptions: { maxWait: 30_000, timeout: TRANSACTION_TIMEOUT_MS },
    });
    this.pool = pool;
    this.movementPool = openPool(config.databaseUrl, config.movementPoolSize, { idleTimeoutMillis: MOVEMENT_IDLE_MS, keepAlive: true });
  }

  /** Last of all: workers close (finishing their jobs) before the database goes. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    for (const pool of [this.pool, this.movementPool]) if (!pool.ended) await pool.end();
  }
}

const MOVEMENT_IDLE_MS = 5 * 60_000;

function openPool(connectionString: string, max: number, options: Pick<pg.PoolConfig, 'idleTimeoutMillis' | 'keepAlive'> = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, ...options });
  // An idle connection that Postgres closes (a restart, an administrator) is reported here;
  // without a listener the pool's 'error' event would crash the process. The pool drops that
  // connection and opens a new one on the next query, so a warning is all it needs.
  pool.on('error', (error) => new Logger('database').warn(`an idle database connection was closed: ${error.message}`));
  return pool;
}
