import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AccrualModule } from '../accrual/accrual.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { DepositsController } from './deposits.controller.js';
import { DepositsService } from './deposits.service.js';
import { DepositStatements } from './deposit-statements.js';

@Module({
  imports: [AccountsModule, AccrualModule, ClockModule, HoldingsModule, IdempotencyModule, LedgerModule, MarketsModule, SettingsModule],
  controllers: [DepositsController],
  providers: [DepositsService, DepositStatements],
  exports: [DepositsService],
})
export class DepositsModule {}
