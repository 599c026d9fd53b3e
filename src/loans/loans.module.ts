import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { AccrualModule } from '../accrual/accrual.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { IdempotencyModule } from '../common/idempotency/idempotency.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';
import { RepaymentStatements } from './repayment-statements.js';

@Module({
  imports: [AccountsModule, AccrualModule, ClockModule, HoldingsModule, IdempotencyModule, LedgerModule, MarketsModule],
  controllers: [LoansController],
  providers: [LoansService, RepaymentStatements],
  exports: [LoansService],
})
export class LoansModule {}
