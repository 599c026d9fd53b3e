import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Job, Queue, QueueEvents } from 'bullmq';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { QUEUES } from '../queues/queue-names.js';
import { DayStartHooks } from '../clock/day-start.hooks.js';
import { LiquidationService, ReviewOutcome } from './liquidation.service.js';
import { RiskSweepService } from './risk-sweep.service.js';
import { waitForJob } from '../queues/wait-for-job.js';

interface SweepJob {
  trigger: string;
}
interface AccountJob {
  accountId: string;
}

const WAIT_MS = 300_000;
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
    const added = await this.accounts.addBulk(
      ids.map((accountId) => ({ name: 'review', data: { accountId }, opts: { ...JOB_OPTIONS, jobId: `review-${accountId}-${job.data.trigger}` } })),
    );
    return { jobIds: added.map((j) => j.id!) };
  }
}

@Processor(QUEUES.riskAccount, { concurrency: 8 })
export class RiskAccountProcessor extends WorkerHost {
  constructor(private readonly liquidation: LiquidationService) {
    super();
  }

  process(job: Job<AccountJob>): Promise<ReviewOutcome> {
    return this.liquidation.review(job.data.accountId);
  }
}

/**
 * Starts sweeps and, when asked, waits until every review they caused has finished: after a
 * price change (`PUT /v1/prices/:asset?wait=true`) and after each day's accrual (debts grew).
 */
@Injectable()
export class RiskSweeps implements OnModuleInit, OnModuleDestroy {
  private sweepEvents?: QueueEvents;
  private readonly stopping = new AbortController();

  constructor(
    private readonly hooks: DayStartHooks,
    @InjectQueue(QUEUES.riskSweep) private readonly sweeps: Queue<SweepJob>,
    @InjectQueue(QUEUES.riskAccount) private readonly accounts: Queue<AccountJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.hooks.register({ name: 'risk sweep', order: 20, run: (day) => this.sweep(`day-${day.date}`, true) });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.sweepEvents?.close();
  }

  async sweep(trigger: string, wait: boolean): Promise<void> {
    const job = await this.sweeps.add('sweep', { trigger }, { ...JOB_OPTIONS, jobId: `sweep-${trigger}` });
    if (!wait) return;
    if ((await job.getState()) === 'failed') await job.retry();
    const { jobIds } = await waitForJob<{ jobIds: string[] }>(this.sweeps, job, await this.events(), WAIT_MS, this.stopping.signal);
    await this.reviewsFinished(jobIds);
  }

  /**
   * Thousands of reviews follow a crash: rather than a listener per job, poll their states in
   * batches until none is waiting or running; a review that failed for good fails the wait.
   */
  private async reviewsFinished(jobIds: string[]): Promise<void> {
    const deadline = Date.now() + WAIT_MS;
    let pending = jobIds;
    while (pending.length > 0) {
      if (this.stopping.signal.aborted) throw new Error('stopped waiting for risk reviews: shutting down');
      if (Date.now() > deadline) throw new Error(`${pending.length} risk reviews did not finish in ${WAIT_MS / 1000} s: is a worker running?`);
      // Jobs run roughly in the order they were added: look at the oldest few hundred each round.
      const batch = pending.slice(0, 500);
      const states = await Promise.all(batch.map(async (id) => [id, await this.accounts.getJobState(id)] as const));
      const failed = states.find(([, state]) => state === 'failed');
      if (failed) throw new Error(`risk review ${failed[0]} failed`);
      const done = new Set(states.filter(([, state]) => state === 'completed' || state === 'unknown').map(([id]) => id));
      pending = pending.filter((id) => !done.has(id));
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(200, 20 + pending.length)));
    }
  }

  private async events(): Promise<QueueEvents> {
    const connection = { url: this.config.redisUrl, maxRetriesPerRequest: null };
    this.sweepEvents ??= new QueueEvents(QUEUES.riskSweep, { connection, prefix: this.config.queuePrefix });
    await this.sweepEvents.waitUntilReady();
    return this.sweepEvents;
  }

}
