import { Job } from 'bullmq';
import type { Queue, QueueEvents } from 'bullmq';

const RECHECK_MS = 1000;

/**
 * Resolves when the job has completed; rejects when it has failed for good (every attempt
 * used), when `deadlineMs` passes, or when `signal` aborts. Queue events can be missed (a job
 * that finishes while the events stream is not yet being read), and a failed attempt that will
 * be retried is reported as a failure: so the job's state is checked again at least every second
 * instead of trusting one event.
 */
export async function waitForJob<T = unknown>(
  queue: Queue,
  job: Job,
  events: QueueEvents,
  deadlineMs: number,
  signal: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (signal.aborted) throw new Error(`stopped waiting for job ${job.id}: shutting down`);
    try {
      return (await job.waitUntilFinished(events, RECHECK_MS)) as T;
    } catch (error) {
      const state = await job.getState();
      if (state === 'completed') return (await Job.fromId(queue, job.id!))?.returnvalue as T;
      if (state === 'failed') throw error;
      if (Date.now() > deadline) throw new Error(`job ${job.id} did not finish in ${deadlineMs / 1000} s (state ${state}): is a worker running?`);
    }
  }
}
