import { Injectable, Logger } from '@nestjs/common';

/** A 00:00 UTC boundary being crossed: `date` is the day that starts at `at`. */
export interface DayStart {
  date: string;
  at: Date;
}

export interface DayStartHandler {
  /** Shown in logs and errors. */
  name: string;
  /** Lower runs first: accrual (rates and indexes) before the risk sweep that reads them. */
  order: number;
  run(day: DayStart): Promise<void>;
}

/**
 * The one hook for work that belongs to the start of a day. Domain modules register a handler
 * at start-up; the clock runs all of them, in order, at each boundary it crosses. Handlers must
 * be idempotent per day: after a crash the clock runs an unfinished boundary again.
 */
/** Work that follows the clock itself, wherever it stops (e.g. positions maturing mid-day). */
export interface TimeReachedHandler {
  name: string;
  run(now: Date): Promise<unknown>;
}

@Injectable()
export class DayStartHooks {
  private readonly logger = new Logger('clock');
  private readonly handlers: DayStartHandler[] = [];
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

  register(handler: DayStartHandler): void {
    if (this.handlers.some((h) => h.name === handler.name)) throw new Error(`day-start handler ${handler.name} registered twice`);
    this.handlers.push(handler);
    this.handlers.sort((a, b) => a.order - b.order);
  }

  async runAll(day: DayStart): Promise<void> {
    for (const handler of this.handlers) {
      this.logger.debug(`day ${day.date}: ${handler.name}`);
      await handler.run(day);
    }
  }
}
