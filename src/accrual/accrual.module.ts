import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { AccrualService } from './accrual.service.js';
import { AccrualDayStart } from './accrual.jobs.js';

@Module({ imports: [ClockModule, LedgerModule, MarketsModule], providers: [AccrualService, AccrualDayStart], exports: [AccrualService] })
export class AccrualModule {}
