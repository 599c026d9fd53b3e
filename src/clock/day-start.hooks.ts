import { Injectable, Logger } from '@nestjs/common';
import { DAY_STEPS, DayStep } from './day-pipeline.js';
import type { Tx } from '../prisma/prisma.service.js';

/** A 00:00 UTC boundary being crossed: `date` is the day that starts at `at`. */
export interface DayStart {
  date: string;
  at: Date;
}

/** Days run together as one quiet stretch (quiet-stretch.ts says when and how). */
export interface QuietStretch {
  /** The days whose start the stretch runs, in order: two or more. */
  days: DayStart[];
}

/**
 * 'done': the step did the work of every day of the stretch. 'shorter': not over all these
 * days, but perhaps over fewer from the same first day (a bound that holds for a while).
 * 'busy': not now (someone to review, a tier that may change): the days run one at a time.
 */
export type StretchVerdict = 'done' | 'shorter' | 'busy';

export interface DayStartHandler {
  /** Which step of the day (day-pipeline.ts) this is: the list sets the order. */
  step: DayStep;
  run(day: DayStart): Promise<unknown>;
  /** Optional: this step over a quiet stretch (quiet-stretch.ts); a step without it has every day run. */
  quietStretch?: QuietStretchHandler;
}

/** A step's part in a quiet stretch, in the stretch's transaction; each answers a verdict. */
export interface QuietStretchHandler {
  /**
   * A cheap look before any step works (and locks): 'busy' spares the stretch's work when a day
   * at a time is sure to follow (every `run` must still check what it relies on).
   */
  before?(tx: Tx, stretch: QuietStretch): Promise<StretchVerdict>;
  /** 'done' when it did, in bulk, exactly what running each day would have done. */
  run(tx: Tx, stretch: QuietStretch): Promise<StretchVerdict>;
}

/** Work that follows the clock itself, wherever it stops (e.g. positions maturing mid-day). */
export interface TimeReachedHandler {
  name: string;
  run(now: Date): Promise<unknown>;
}

/**
 * Where the clock finds the work of each moment: domain modules register a handler at start-up
 * for their step of the day (day-pipeline.ts), for every instant the clock reaches, or for
 * where an advance stops; the clock runs them. Handlers must be idempotent.
 */
@Injectable()
export class DayStartHooks {
  private readonly logger = new Logger('clock');
  private readonly steps = new Map<DayStep, DayStartHandler[]>();
  private readonly timeHandlers: TimeReachedHandler[] = [];
  private readonly advanceHandlers: TimeReachedHandler[] = [];

  /** Runs after every move of the clock (each boundary and where an advance stops); idempotent. */
  onTimeReached(handler: TimeReachedHandler): void {
    this.timeHandlers.push(handler);
  }

  async runTimeReached(now: Date): Promise<void> {
    for (const handler of this.timeHandlers) await handler.run(now);
  }

  /**
   * Runs where an advance of the simulated clock stops, after everything at that instant: an
   * advance of hours crosses no 00:00, yet debts grew during it (api-contract: every advance
   * ends with the risk sweep at its target instant).
   */
  onAdvanceEnd(handler: TimeReachedHandler): void {
    this.advanceHandlers.push(handler);
  }

  async runAdvanceEnd(target: Date): Promise<void> {
    for (const handler of this.advanceHandlers) await handler.run(target);
  }

  /** A step's handlers run in the order they were registered (one per domain module in the app). */
  register(handler: DayStartHandler): void {
    this.steps.set(handler.step, [...(this.steps.get(handler.step) ?? []), handler]);
  }

  /**
   * Every step's bulk work for the stretch, in the pipeline's order, in the caller's
   * transaction; the first verdict that is not 'done' ends it (and the caller rolls back).
   */
  async runQuietStretch(tx: Tx, stretch: QuietStretch): Promise<StretchVerdict> {
    const handlers = DAY_STEPS.flatMap((step) => this.steps.get(step) ?? []);
    for (const pass of ['before', 'run'] as const) {
      for (const handler of handlers) {
        const part = handler.quietStretch;
        const verdict = !part ? 'busy' : pass === 'run' ? await part.run(tx, stretch) : part.before ? await part.before(tx, stretch) : 'done';
        if (verdict !== 'done') {
          this.logger.debug(`stretch ${stretch.days[0].date}..${stretch.days.at(-1)!.date}: ${handler.step} (${pass}) says ${verdict}`);
          return verdict;
        }
      }
    }
    return 'done';
  }

  /** The day's steps in the pipeline's order; a step nobody registered is an error, not a skip. */
  async runAll(day: DayStart): Promise<void> {
    for (const step of DAY_STEPS) {
      const handlers = this.steps.get(step);
      if (!handlers) throw new Error(`day ${day.date}: no handler for the "${step}" step`);
      this.logger.debug(`day ${day.date}: ${step}`);
      for (const handler of handlers) await handler.run(day);
    }
  }
}
