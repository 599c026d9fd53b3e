import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { ClockTickProcessor, ClockTickScheduler } from '../clock/clock-tick.processor.js';
import { AccrualProcessor } from '../accrual/accrual.jobs.js';

/**
 * The background side: BullMQ processors and the schedules that feed them. Imported only by
 * processes that run workers (RUN_WORKERS), so an API-only process never takes a job.
 */
@Module({
  imports: [ScheduleModule.forRoot()],
  providers: [ClockTickProcessor, ClockTickScheduler, AccrualProcessor],
})
export class WorkersModule {}
