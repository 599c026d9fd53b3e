import { Global, Module } from '@nestjs/common';
import { AccrualService } from './accrual.service.js';
import { AccrualDayStart } from './accrual.jobs.js';

@Global()
@Module({ providers: [AccrualService, AccrualDayStart], exports: [AccrualService] })
export class AccrualModule {}
