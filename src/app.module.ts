import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { PrismaModule } from './prisma/prisma.module.js';
import { QueuesModule } from './queues/queues.module.js';
import { ClockModule } from './clock/clock.module.js';
import { LedgerModule } from './ledger/ledger.module.js';
import { AccountsModule } from './accounts/accounts.module.js';
import { MarketsModule } from './markets/markets.module.js';
import { HealthModule } from './health/health.module.js';
import { PricesModule } from './prices/prices.module.js';
import { SettingsModule } from './settings/settings.module.js';
import { AccrualModule } from './accrual/accrual.module.js';
import { DepositsModule } from './deposits/deposits.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { PortfolioModule } from './portfolio/portfolio.module.js';
import { CalcModule } from './calc/calc.module.js';
import { LoansModule } from './loans/loans.module.js';
import { RiskModule } from './risk/risk.module.js';
import { LoyaltyModule } from './loyalty/loyalty.module.js';
import { PresetsModule } from './presets/presets.module.js';
import { ScenarioRunsModule } from './scenario-runs/scenario-runs.module.js';
import type { StartOwnApp } from './scenarios/scenario-app.js';
import { IdempotencyModule } from './common/idempotency/idempotency.module.js';
import { WorkersModule } from './workers/workers.module.js';
import { AuthGuard } from './common/auth/auth.guard.js';
import { ApiKeyCache } from './common/auth/api-key-cache.js';
import { DeferredKeyCheck } from './common/auth/deferred-key-check.filter.js';

/** One module list for both entry points: the API (main.ts) and the workers (worker.ts). */
@Module({})
export class AppModule {
  /**
   * `startOwnApp`, given by src/bootstrap to the HTTP application, serves POST /v1/scenarios
   * (a scenario plays on an application of its own); the workers and the seed have no HTTP.
   */
  static forRoot(config: AppConfig, startOwnApp?: StartOwnApp): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PrismaModule,
        QueuesModule,
        ClockModule,
        LedgerModule,
        IdempotencyModule,
        AccountsModule,
        SettingsModule,
        PricesModule,
        MarketsModule,
        PresetsModule,
        NotificationsModule,
        AccrualModule,
        RiskModule,
        LoyaltyModule,
        ...(startOwnApp ? [ScenarioRunsModule.forRoot(startOwnApp)] : []),
        DepositsModule,
        LoansModule,
        PortfolioModule,
        CalcModule,
        HealthModule,
        ...(config.runWorkers ? [WorkersModule] : []),
      ],
      providers: [
        ApiKeyCache,
        AuthGuard,
        // One guard instance (its failure counter) serves both the guard and DeferredKeyCheck.
        { provide: APP_GUARD, useExisting: AuthGuard },
        // ErrorFilter, which first re-reads a deferred caller's key.
        { provide: APP_FILTER, useClass: DeferredKeyCheck },
      ],
    };
  }
}
