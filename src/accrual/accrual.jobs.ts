import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queues/queue-names.js';
import { DayStart, DayStartHooks } from '../clock/day-start.hooks.js';
import { ASSET_CODES } from '../common/money/assets.js';
import { AccrualService } from './accrual.service.js';
import { JobWaiter } from '../queues/job-waiter.js';

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
 * The day's "accrual" step (clock/day-pipeline.ts). A process that runs workers closes the
 * markets' day itself, in one transaction (accrual is O(markets): a queue round trip per market
 * cost more than the work). An API-only process (RUN_WORKERS=false) takes no job work: it
 * enqueues one BullMQ job per (market, day), with a deterministic id, and the day moves on only
 * when all of them have finished. Either way the close is idempotent per (market, day).
 */
@Injectable()
export class AccrualDayStart implements OnModuleInit, OnModuleDestroy {
  private readonly jobs: JobWaiter;

  constructor(
    private readonly hooks: DayStartHooks,
    @InjectQueue(QUEUES.accrual) queue: Queue<AccrualJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accrual: AccrualService,
  ) {
    this.jobs = new JobWaiter(queue, config);
  }

  onModuleInit(): void {
    this.hooks.register({
      step: 'accrual',
      run: (day) => (this.config.runWorkers ? this.accrual.bringAllMarketsTo(day.date) : this.enqueueDay(day)),
      // A stretch's closes in the stretch's own transaction, on any process: a handful of
      // statements for all of its days, less than one job's round trip.
      quietStretch: {
        run: async (tx, stretch) => {
          await this.accrual.closeQuietStretch(tx, stretch.days.at(-1)!.date);
          return 'done';
        },
      },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.close();
  }

  private async enqueueDay(day: DayStart): Promise<void> {
    const jobs = await Promise.all(
      ASSET_CODES.map((asset) =>
        this.jobs.addOrRetry(
          'accrue',
          { asset, date: day.date },
          {
            jobId: `accrual-${asset}-${day.date}`,
            attempts: 5,
            backoff: { type: 'exponential', delay: 200 },
            removeOnComplete: { age: 3600, count: 5000 },
            removeOnFail: { age: 86_400 },
          },
        ),
      ),
    );
    await Promise.all(jobs.map((job) => this.jobs.finished(job, ACCRUAL_WAIT_MS)));
  }
}
