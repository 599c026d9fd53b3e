import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queues/queue-names.js';
import { DayStart, DayStartHooks } from '../clock/day-start.hooks.js';
import { ASSET_CODES } from '../common/money/assets.js';
import { AccrualService } from './accrual.service.js';
import { waitForJob } from '../queues/wait-for-job.js';

interface AccrualJob {
  asset: string;
  date: string;
}

/** How long the clock waits for a day's accrual jobs before it calls the day failed. */
const ACCRUAL_WAIT_MS = 120_000;

/** Runs one (market, day) accrual. Safe to repeat and to run on several workers at once. */
@Processor(QUEUES.accrual, { concurrency: 6 })
export class AccrualProcessor extends WorkerHost {
  constructor(private readonly accrual: AccrualService) {
    super();
  }

  async process(job: Job<AccrualJob>): Promise<{ daysClosed: number }> {
    // "Through date" means: close every day before it, so the market's current day is `date`.
    return { daysClosed: await this.accrual.accrueThrough(job.data.asset, job.data.date) };
  }
}

/**
 * At each 00:00 UTC the clock calls this first: one BullMQ job per (market, day), with a
 * deterministic id, and the day moves on only when all of them have finished.
 */
@Injectable()
export class AccrualDayStart implements OnModuleInit, OnModuleDestroy {
  private events?: QueueEvents;
  /** Shutting down: a day-start still waiting for its jobs fails now instead of waiting forever. */
  private readonly stopping = new AbortController();

  constructor(
    private readonly hooks: DayStartHooks,
    @InjectQueue(QUEUES.accrual) private readonly queue: Queue<AccrualJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.hooks.register({ name: 'accrual', order: 10, run: (day) => this.accrueDay(day) });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.events?.close();
  }

  private async accrueDay(day: DayStart): Promise<void> {
    this.events ??= new QueueEvents(QUEUES.accrual, {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
    });
    await this.events.waitUntilReady();
    const jobs = await Promise.all(
      ASSET_CODES.map(async (asset) => {
        const job = await this.queue.add(
          'accrue',
          { asset, date: day.date },
          {
            jobId: `accrual-${asset}-${day.date}`,
            attempts: 5,
            backoff: { type: 'exponential', delay: 200 },
            removeOnComplete: { age: 3600, count: 5000 },
            removeOnFail: { age: 86_400 },
          },
        );
        // A job that failed for good earlier keeps its id: run it again rather than wait forever.
        if ((await job.getState()) === 'failed') await job.retry();
        return job;
      }),
    );
    await Promise.all(jobs.map((job) => waitForJob(this.queue, job, this.events!, ACCRUAL_WAIT_MS, this.stopping.signal)));
  }
}
