import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import type { Job, Queue } from 'bullmq';
import { QUEUES } from '../queues/queue-names.js';
import { ClockService } from './clock.service.js';
import { wallClockMs } from '../common/time/wall-clock.js';

const TICK_EVERY_MS = 30_000;

/**
 * Runs start-of-day work that is due and not done: every boundary in real-time mode, and in
 * simulated mode a boundary an interrupted advance left unfinished. Safe on every process at
 * once: the clock takes a Postgres lock and each day's work is idempotent.
 */
@Processor(QUEUES.clock)
export class ClockTickProcessor extends WorkerHost {
  constructor(private readonly clock: ClockService) {
    super();
  }

  async process(_job: Job): Promise<{ daysStarted: number }> {
    return { daysStarted: await this.clock.catchUp({ wait: false }) };
  }
}

/**
 * Enqueues the tick (@nestjs/schedule fires in every process; the job id, one per period,
 * lets only one of them through) and once at start-up, to recover from a crash at once.
 */
@Injectable()
export class ClockTickScheduler implements OnApplicationBootstrap {
  private readonly logger = new Logger('clock');
  constructor(@InjectQueue(QUEUES.clock) private readonly queue: Queue) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.enqueue(`boot-${wallClockMs()}`);
  }

  @Interval('clock-tick', TICK_EVERY_MS)
  async tick(): Promise<void> {
    await this.enqueue(String(Math.floor(wallClockMs() / TICK_EVERY_MS)));
  }

  private async enqueue(period: string): Promise<void> {
    try {
      await this.queue.add('tick', {}, { jobId: `tick-${period}`, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } });
    } catch (error) {
      // Redis may be restarting; the next tick tries again and Postgres still knows what is due.
      this.logger.warn(`could not enqueue the clock tick: ${(error as Error).message}`);
    }
  }
}
