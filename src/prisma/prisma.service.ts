import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Long enough for a day of accrual on a large world; short enough to free a stuck connection. */
const TRANSACTION_TIMEOUT_MS = 120_000;

@Injectable()
export class PrismaService extends PrismaClient implements OnApplicationShutdown {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg({ connectionString: config.databaseUrl, max: config.databasePoolSize }),
      transactionOptions: { maxWait: 30_000, timeout: TRANSACTION_TIMEOUT_MS },
    });
  }

  /** Last of all: workers close (finishing their jobs) before the database goes. */
  async onApplicationShutdown(): Promise<void> {
    await this.$disconnect();
  }
}
