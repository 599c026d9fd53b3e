import { Job, Queue, QueueEvents } from 'bullmq';
import type { AppConfig } from '../config/app-config.js';
import { wallClockMs } from '../common/time/wall-clock.js';

const RECHECK_MS = 1000;
/** How many job states one round reads at once. */
const STATE_CHUNK = 100;

/**
 * Waits for jobs of one queue to finish, for code that must not go on before they have (the
 * clock's day-start work). Queue events can be missed (a job that finishes while the events
 * stream is not yet being read), and a failed attempt that will be retried is reported as a
 * failure: so a job's state is checked again at least every second instead of trusting one
 * event. A job Redis has lost (a restart without persistence) is added again. `close()` (at
 * shutdown) makes every wait fail at once instead of hanging.
 */
export class JobWaiter {
  private events?: QueueEvents;
  private readonly stopping = new AbortController();

  constructor(
    private readonly queue: Queue,
    private readonly config: AppConfig,
  ) {}

  /** Adds the job, or finds the one with its id; a job that failed for good before runs again. */
  async addOrRetry<T>(name: string, data: T, options: { jobId: string } & Record<string, unknown>): Promise<Job> {
    const job = await this.queue.add(name, data, options);
    if ((await job.getState()) === 'failed') await job.retry();
    return job;
  }

  /** The job's result once completed; rejects when it failed for good, at the deadline, or at shutdown. */
  async finished<R = unknown>(job: Job, deadlineMs: number): Promise<R> {
    const events = await this.eventsReady();
    const deadline = wallClockMs() + deadlineMs;
    for (;;) {
      this.throwIfStopping(`job ${job.id}`);
      try {
        return (await job.waitUntilFinished(events, RECHECK_MS)) as R;
      } catch (error) {
        const state = await job.getState();
        if (state === 'completed') return (await Job.fromId(this.queue, job.id!))?.returnvalue as R;
        if (state === 'failed') throw error;
        // Redis lost the job (restarted without persistence, or flushed) before it finished: add
        // it again under its id; the work it does is idempotent in Postgres.
        if (state === 'unknown') await this.queue.add(job.name, job.data, job.opts);
        if (wallClockMs() > deadline) throw new Error(`job ${job.id} did not finish in ${deadlineMs / 1000} s (state ${state}): is a worker running?`);
      }
    }
  }

  /**
   * For thousands of jobs at once: rather than a listener per job, polls their states. Jobs run
   * roughly in the order they were added, so each round reads the oldest pending ones a chunk
   * at a time and stops at the first chunk with a job still open: a finished job's state is
   * read about once, not once per round (the waiting process shares the machine's cores with
   * the workers it waits for).
   */
  async allFinished(jobIds: string[], deadlineMs: number): Promise<void> {
    const deadline = wallClockMs() + deadlineMs;
    let pending = jobIds;
    while (pending.length > 0) {
      this.throwIfStopping(`${pending.length} jobs`);
      if (wallClockMs() > deadline) throw new Error(`${pending.length} jobs did not finish in ${deadlineMs / 1000} s: is a worker running?`);
      pending = await this.dropFinishedPrefix(pending);
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(200, 20 + pending.length)));
    }
  }

  /** The ids still pending: the leading chunks that have finished are dropped; a failed job throws. */
  private async dropFinishedPrefix(pending: string[]): Promise<string[]> {
    for (let start = 0; start < pending.length; start += STATE_CHUNK) {
      const chunk = pending.slice(start, start + STATE_CHUNK);
      const states = await Promise.all(chunk.map((id) => this.queue.getJobState(id)));
      const failed = chunk.find((_, i) => states[i] === 'failed');
      if (failed) throw new Error(`job ${failed} failed`);
      // A completed job may already have been removed (removeOnComplete): unknown counts as done.
      const open = chunk.filter((_, i) => states[i] !== 'completed' && states[i] !== 'unknown');
      if (open.length > 0) return [...open, ...pending.slice(start + STATE_CHUNK)];
    }
    return [];
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.events?.close();
  }

  private async eventsReady(): Promise<QueueEvents> {
    this.events ??= new QueueEvents(this.queue.name, {
      connection: { url: this.config.redisUrl, maxRetriesPerRequest: null },
      prefix: this.config.queuePrefix,
    });
    await this.events.waitUntilReady();
    return this.events;
  }

  private throwIfStopping(what: string): void {
    if (this.stopping.signal.aborted) throw new Error(`stopped waiting for ${what}: shutting down; the work runs again at the next start`);
  }
}
