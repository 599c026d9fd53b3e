import { BeforeApplicationShutdown, Injectable, Module } from '@nestjs/common';
import { DiscoveryModule, DiscoveryService } from '@nestjs/core';
import { WorkerHost } from '@nestjs/bullmq';
import { ScheduleModule } from '@nestjs/schedule';
import { ClockModule } from '../clock/clock.module.js';
import { AccrualModule } from '../accrual/accrual.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { ClockTickProcessor, ClockTickScheduler } from '../clock/clock-tick.processor.js';
import { AccrualProcessor } from '../accrual/accrual.jobs.js';
import { RiskAccountProcessor, RiskSweepProcessor } from '../risk/risk.jobs.js';

/**
 * The background side: BullMQ processors and the schedules that feed them. Imported only by
 * processes that run workers (RUN_WORKERS), so an API-only process never takes a job.
 */
/**
 * Graceful stop: every worker stops taking jobs and finishes the ones it has while the
 * database is still connected (Prisma disconnects last, at application shutdown).
 */
@Injectable()
class WorkersShutdown implements BeforeApplicationShutdown {
  constructor(private readonly discovery: DiscoveryService) {}

  async beforeApplicationShutdown(): Promise<void> {
    const hosts = this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost);
    await Promise.all(hosts.map((host) => host.worker?.close()));
  }
}

@Module({
  imports: [ScheduleModule.forRoot(), DiscoveryModule, ClockModule, AccrualModule, RiskModule],
  providers: [ClockTickProcessor, ClockTickScheduler, AccrualProcessor, RiskSweepProcessor, RiskAccountProcessor, WorkersShutdown],
})
export class WorkersModule {}
