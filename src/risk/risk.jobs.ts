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
import { chunkAccounts, chunkJobId, reviewChunk } from './review-chunk.js';

interface SweepJob {
  trigger: string;
}
/** A review job: a range of the sorted accounts a sweep found (see review-chunk.ts). */
interface AccountJob {
  accountIds: string[];
  /** The sweep's trigger: a repeated review of the same sweep liquidates an account once (reviewMany). */
  trigger?: string;
}

const WAIT_MS = 300_000;
/**
 * Accounts per review job, reviewed in one transaction: the per-transaction costs (a few
 * set-based statements, the shared rows' locks) spread over many accounts, while a crash
 * loses at most this many accounts' work, rolled back whole and done again by the retry.
 */
const REVIEW_CHUNK = 500;
/**
 * Review jobs one worker process runs at once. Two, so that one chunk's statements run in
 * Postgres while the other's liquidations are worked out here; more only add transactions
 * queueing for the markets' locks (measured: with a job per account and up to 2000 at once, a
 * worker's own batches waited on each other for the market rows most of the time).
 */
const REVIEW_CONCURRENCY = 2;
const JOB_OPTIONS = { attempts: 5, backoff: { type: 'exponential', delay: 200 }, removeOnComplete: { age: 3600, count: 10_000 }, removeOnFail: { age: 86_400 } };

/**
 * A sweep finds the accounts to review and enqueues them in ranges, one review job per range:
 * a crash that finds 10,000 accounts makes 20 jobs, not 10,000 (a job per account cost more in
 * Redis round trips than its review did in Postgres).
 */
@Processor(QUEUES.riskSweep)
export class RiskSweepProcessor extends WorkerHost {
  constructor(
    private readonly sweep: RiskSweepService,
    @InjectQueue(QUEUES.riskAccount) private readonly accounts: Queue<AccountJob>,
  ) {
    super();
  }

  async process(job: Job<SweepJob>): Promise<{ jobIds: string[] }> {
    const chunks = chunkAccounts(await this.sweep.accountsToReview(), REVIEW_CHUNK);
    return { jobIds: await addReviewJobs(this.accounts, job.data.trigger, chunks) };
  }
}

/** One review job per range of accounts, under ids that a repeat of the same sweep finds again (chunkJobId); their ids. */
async function addReviewJobs(accounts: Queue<AccountJob>, trigger: string, chunks: string[][]): Promise<string[]> {
  const added = await accounts.addBulk(
    chunks.map((accountIds) => ({ name: 'review', data: { accountIds, trigger }, opts: { ...JOB_OPTIONS, jobId: chunkJobId(trigger, accountIds) } })),
  );
  return added.map((j) => j.id!);
}

/**
 * Review jobs, one per range of accounts, each reviewed in one transaction. Accounts that fail
 * alone stay in the job (its data narrowed to them) and fail it, so that BullMQ's retry reviews
 * only those; the others are done.
 */
@Processor(QUEUES.riskAccount, { concurrency: REVIEW_CONCURRENCY })
export class RiskAccountProcessor extends WorkerHost implements OnModuleInit {
  constructor(
    private readonly liquidation: LiquidationService,
    @InjectQueue(QUEUES.riskAccount) private readonly accounts: Queue<AccountJob>,
  ) {
    super();
  }

  /**
   * REVIEW_CONCURRENCY reviews at once across every worker process, not per process: they all
   * write to one Postgres and meet at the same market rows, so a second process adds no room,
   * only transactions competing for the same cores and locks (measured on the 2-core machine:
   * two processes at two each ran four review transactions at once and took longer than one
   * process alone). Each process still takes any job, so either carries on when the other dies.
   */
  async onModuleInit(): Promise<void> {
    await this.accounts.setGlobalConcurrency(REVIEW_CONCURRENCY);
  }

  async process(job: Job<AccountJob>): Promise<{ reviewed: number; liquidated: number }> {
    const review = await reviewChunk(job.data.accountIds, (ids) => this.liquidation.reviewMany(ids, job.data.trigger));
    if (review.failed.length > 0) {
      await job.updateData({ accountIds: review.failed.map((f) => f.accountId), trigger: job.data.trigger });
      throw review.failed[0].error;
    }
    return { reviewed: review.outcomes.length, liquidated: review.outcomes.filter((o: ReviewOutcome) => o.liquidated).length };
  }
}

/**
 * Starts sweeps and, when asked, waits until every review they caused has finished: after a
 * price change (`PUT /v1/prices/:asset?wait=true`), at each 00:00 after accrual and tiers (debts
 * grew), and where an advance stops.
 *
 * A process that runs workers and waits anyway does a small sweep itself: it finds the accounts
 * and, when they fit in one review transaction, reviews them at once (most days find no one or
 * a few: two queue round trips per sweep cost more than the work); a larger one it enqueues as
 * review jobs itself, from the same search. A sweep not waited for, and any sweep from an
 * API-only process (RUN_WORKERS=false), go through the sweep queue. Either way every worker
 * process shares the reviews. Reviews are idempotent: a sweep repeated
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
    @InjectQueue(QUEUES.riskAccount) private readonly accounts: Queue<AccountJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.sweepJobs = new JobWaiter(sweeps, config);
    this.reviewJobs = new JobWaiter(accounts, config);
  }

  onModuleInit(): void {
    this.hooks.register({
      step: 'risk sweep',
      run: (day) => this.sweep(`day-${day.date}`, true),
      quietStretch: { before: (tx) => this.finder.nobodyInTrouble(tx), run: (tx, stretch) => this.finder.quietStretch(tx, stretch) },
    });
    this.hooks.onAdvanceEnd({ name: 'risk sweep', run: (at) => this.sweep(`at-${at.getTime()}`, true) });
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([this.sweepJobs.close(), this.reviewJobs.close()]);
  }

  async sweep(trigger: string, wait: boolean): Promise<void> {
    if (wait && this.config.runWorkers) {
      // A sweep that finds no more than one review job's worth is reviewed here, in one
      // transaction, without the queue's round trips; if that fails, the queued sweep below
      // does it again with its retries and its account-by-account fallback.
      const ids = await this.finder.accountsToReview();
      if (ids.length === 0) return;
      if (ids.length <= REVIEW_CHUNK) {
        const reviewed = await this.liquidation.reviewMany(ids, trigger).then(
          () => true,
          () => false,
        );
        if (reviewed) return;
      } else {
        // A larger one goes straight to the review queue, in the ranges a sweep job would have
        // made from the same search: a sweep job would only search again, on the critical path
        // of every review (measured with two workers: the other process, whose search has no
        // earlier one to narrow from, took 1.5 s over the whole book before any review began).
        await this.reviewJobs.allFinished(await addReviewJobs(this.accounts, trigger, chunkAccounts(ids, REVIEW_CHUNK)), WAIT_MS);
        return;
      }
    }
    const job = await this.sweepJobs.addOrRetry('sweep', { trigger }, { ...JOB_OPTIONS, jobId: `sweep-${trigger}` });
    if (!wait) return;
    const { jobIds } = await this.sweepJobs.finished<{ jobIds: string[] }>(job, WAIT_MS);
    await this.reviewJobs.allFinished(jobIds, WAIT_MS);
  }
}
