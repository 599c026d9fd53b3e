import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

export type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

/** Long enough for a day of accrual on a large world; short enough to free a stuck connection. */
const TRANSACTION_TIMEOUT_MS = 120_000;

@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super({
      adapter: new PrismaPg({ connectionString: config.databaseUrl, max: config.databasePoolSize }),
      transactionOptions: { maxWait: 30_000, timeout: TRANSACTION_TIMEOUT_MS },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
