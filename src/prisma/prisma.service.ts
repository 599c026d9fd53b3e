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
   * The connections Prisma uses, shared with the few paths that talk to the pg driver directly
   * (the money movements' SQL functions, the API key lookup): Prisma's per-statement overhead is
   * about three times the driver's, and these run on every request. One pool, one size.
   */
  readonly pool: pg.Pool;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize });
    // An idle connection that Postgres closes (a restart, an administrator) is reported here;
    // without a listener the pool's 'error' event would crash the process. The pool drops that
    // connection and opens a new one on the next query, so a warning is all it needs.
    pool.on('error', (error) => new Logger('database').warn(`an idle database connection was closed: ${error.message}`));
    super({
      adapter: new PrismaPg(pool),
      transactionOptions: { maxWait: 30_000, timeout: TRANSACTION_TIMEOUT_MS },
    });
    this.pool = pool;
  }

  /** Last of all: workers close (finishing their jobs) before the database goes. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
    if (!this.pool.ended) await this.pool.end();
  }
}
