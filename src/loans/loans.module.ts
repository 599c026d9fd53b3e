import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AccrualModule } from '../accrual/accrual.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';

@Module({
  imports: [AccountsModule, AccrualModule, ClockModule, IdempotencyModule, LedgerModule, MarketsModule, RiskModule],
  controllers: [LoansController],
  providers: [LoansService],
  exports: [LoansService],
})
export class LoansModule {}
