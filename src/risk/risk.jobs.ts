import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queues/queue-names.js';
import { DayStartHooks } from '../clock/day-start.hooks.js';
import { LiquidationService, ReviewOutcome } from './liquidation.service.js';
import { RiskSweepService } from './risk-sweep.service.js';
import { JobWaiter } from '../queues/job-waiter.js';
import { ReviewBatcher } from './review-batcher.js';

interface SweepJob {
  trigger: string;
}
interface AccountJob {
  accountId: string;
}

const WAIT_MS = 300_000;
/** Up to this many accounts in one review transaction; reviews started within GATHER_MS join one batch. */
const REVIEW_BATCH = 1000;
const REVIEW_CONCURRENCY = 2000;
const GATHER_MS = 50;
const ENQUEUE_CHUNK = 500;
const JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 86_400 } };

/** A sweep finds the accounts to review and enqueues one review job per account. */
@Processor(QUEUES.riskSweep)
export class RiskSweepProcessor extends WorkerHost {
  constructor(
    private readonly sweep: RiskSweepService,
    @InjectQueue(QUEUES.riskAccount) private readonly accounts: Queue<AccountJob>,
  ) {
    super();
  }

  async process(job: Job<SweepJob>): Promise<{ jobIds: string[] }> {
    const ids = await this.sweep.accountsToReview();
    // One job per account and sweep (a deterministic id): a repeat of this sweep adds nothing;
    // reviews of one account by two sweeps serialise on its row lock and do only what is left.
    // In chunks, so that workers start on the first reviews while the rest are being added.
    const jobIds: string[] = [];
    for (let start = 0; start < ids.length; start += ENQUEUE_CHUNK) {
      const added = await this.accounts.addBulk(
        ids.slice(start, start + ENQUEUE_CHUNK).map((accountId) => ({
          name: 'review',
          data: { accountId },
          opts: { ...JOB_OPTIONS, jobId: `review-${accountId}-${job.data.trigger}` },
        })),
      );
      jobIds.push(...added.map((j) => j.id!));
    }
    return { jobIds };
  }
}

/**
 * Review jobs, one per account: many run at once in a worker so that the batcher can review
 * them together (up to REVIEW_BATCH accounts per database transaction).
 */
@Processor(QUEUES.riskAccount, { concurrency: REVIEW_CONCURRENCY })
export class RiskAccountProcessor extends WorkerHost {
  private readonly batcher: ReviewBatcher<ReviewOutcome>;

  constructor(liquidation: LiquidationService) {
    super();
    this.batcher = new ReviewBatcher((ids) => liquidation.reviewMany(ids), REVIEW_BATCH, GATHER_MS);
  }

  process(job: Job<AccountJob>): Promise<ReviewOutcome> {
    return this.batcher.review(job.data.accountId);
  }
}

/**
 * Starts sweeps and, when asked, waits until every review they caused has finished: after a
 * price change (`PUT /v1/prices/:asset?wait=true`), at each 00:00 after accrual and tiers (debts
 * grew), and where an advance stops.
 *
 * A process that runs workers and waits anyway does a small sweep itself: it finds the accounts
 * and, when they fit in one review transaction, reviews them at once (most days find no one or
 * a few: two queue round trips per sweep cost more than the work). A larger sweep, a sweep not
 * waited for, and any sweep from an API-only process (RUN_WORKERS=false) go through the queues,
 * so that every worker process shares the reviews. Reviews are idempotent: a sweep repeated
 * after a crash does only what is left.
 */
@Injectable()
export class RiskSweeps implements OnModuleInit, OnModuleDestroy {
  private readonly sweepJobs: JobWaiter;
  private readonly reviewJobs: JobWaiter;

  constructor(
    private readonly hooks: DayStartHooks,
    private readonly finder: RiskSweepService,
    private readonly liquidation: LiquidationService,
    @InjectQueue(QUEUES.riskSweep) sweeps: Queue<SweepJob>,
    @InjectQueue(QUEUES.riskAccount) accounts: Queue<AccountJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sweepJobs = new JobWaiter(sweeps, config);
    this.reviewJobs = new JobWaiter(accounts, config);
  }

  onModuleInit(): void {
    this.hooks.register({ step: 'risk sweep', run: (day) => this.sweep(`day-${day.date}`, true) });
    this.hooks.onAdvanceEnd({ name: 'risk sweep', run: (at) => this.sweep(`at-${at.getTime()}`, true) });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.sweepJobs.close(), this.reviewJobs.close()]);
  }

  async sweep(trigger: string, wait: boolean): Promise<void> {
    if (wait && this.config.runWorkers) {
      const ids = await this.finder.accountsToReview();
      if (ids.length <= REVIEW_BATCH) {
        if (ids.length > 0) await this.liquidation.reviewMany(ids);
        return;
      }
    }
    const job = await this.sweepJobs.addOrRetry('sweep', { trigger }, { ...JOB_OPTIONS, jobId: `sweep-${trigger}` });
    if (!wait) return;
    const { jobIds } = await this.sweepJobs.finished<{ jobIds: string[] }>(job, WAIT_MS);
    await this.reviewJobs.allFinished(jobIds, WAIT_MS);
  }
}
