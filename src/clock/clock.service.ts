import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { DayStartHooks, StretchVerdict } from './day-start.hooks.js';
import { MS_PER_DAY, MS_PER_HOUR, dayStart, daysAfter, utcDateString } from './dates.js';
import { wallClock } from '../common/time/wall-clock.js';
import { clockNotSimulated } from '../common/errors/catalogue.js';
import { runDaysInStretches } from './quiet-stretch.js';

export type ClockMode = 'simulated' | 'realtime';

/** Any number that fits in a bigint key; chosen once so that every process uses the same one. */
export const CLOCK_LOCK_KEY = 4_207_731_001n;
/** A long advance (years of days) may hold the clock lock for minutes. */
const ADVANCE_TIMEOUT_MS = 6 * 60 * 60 * 1000;

/**
 * The only source of "now". Simulated time lives in Postgres so that every process agrees on
 * it; it stands still between advances. Advancing (or real time passing) crosses each 00:00
 * UTC boundary one at a time and runs that day's start-of-day work before moving on, so one
 * jump of N days equals N jumps of one day. Days where nothing but interest happens may run
 * together as one quiet stretch (quiet-stretch.ts), which leaves the same rows.
 */
@Injectable()
export class ClockService implements OnModuleInit {
  private readonly logger = new Logger('clock');

  constructor(
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly hooks: DayStartHooks,
  ) {}

  get mode(): ClockMode {
    return this.config.clockMode;
  }

  private initialized?: Promise<void>;

  /**
   * The clock's time while this process holds the clock lock and has written it: nobody else
   * can move the clock meanwhile (every write is under the lock) and each write is committed
   * before it is kept here, so this is what a read would return, without the read. A day's
   * start asks for "now" half a dozen times (accrual, tiers, the sweep, each guarding itself).
   */
  private held?: Date;

  async onModuleInit(): Promise<void> {
    await this.ensureInitialized();
  }

  /** Creates the clock at CLOCK_START on first use; other modules may need "now" during their own start-up. */
  private ensureInitialized(): Promise<void> {
    return (this.initialized ??= this.initialize());
  }

  private async initialize(): Promise<void> {
    const start = this.config.clockStart;
    await this.prisma.$executeRaw`
      INSERT INTO clock_state (id, mode, now, day_started_through, updated_at)
      VALUES (1, ${this.mode}::clock_mode, ${start}, ${utcDateString(start)}::date, ${start})
      ON CONFLICT (id) DO NOTHING`;
    await this.prisma.$executeRaw`UPDATE clock_state SET mode = ${this.mode}::clock_mode WHERE id = 1 AND mode <> ${this.mode}::clock_mode`;
  }

  /**
   * Inside a transaction, pass it: reading on a second connection while the transaction holds
   * one starves the pool under load (every connection held by a transaction waiting for another).
   */
  async now(tx: Tx = this.prisma): Promise<Date> {
    if (this.mode === 'realtime') return wallClock();
    if (this.held) return this.held;
    await this.ensureInitialized();
    const state = await tx.clockState.findUniqueOrThrow({ where: { id: 1 }, select: { now: true } });
    return state.now;
  }

  /** Moves simulated time forward, running each crossed day's start-of-day work in order. */
  async advance(by: { days?: number; hours?: number }): Promise<{ now: Date; daysAccrued: number }> {
    if (this.mode !== 'simulated') {
      throw clockNotSimulated();
    }
    const stepMs = (by.days ?? 0) * MS_PER_DAY + (by.hours ?? 0) * MS_PER_HOUR;
    return this.exclusively(async () => {
      // One read of the clock: finishing a day an interrupted advance left does not move it.
      const { from } = await this.runDueDayStarts();
      const target = new Date(from.getTime() + stepMs);
      const days = daysAfter(utcDateString(from), utcDateString(target));
      if (days.length > 0) await this.setNow(dayStart(days[0]));
      // Each day's start, then in one statement the day marked done and the clock on to the
      // next 00:00 (or the target): a crash between two days resumes from the next one.
      await this.runDayStarts(days, (i) => (i + 1 < days.length ? dayStart(days[i + 1]) : target));
      if (days.length === 0) await this.setNow(target);
      const daysAccrued = days.length;
      // At a 00:00 crossed just now, the day's start has run everything of this very instant
      // (the time-reached work, then the day's sweep): running it again would find nothing.
      const atDayStartJustRun = daysAccrued > 0 && target.getTime() === dayStart(utcDateString(target)).getTime();
      if (!atDayStartJustRun) {
        await this.hooks.runTimeReached(target);
        if (target.getTime() !== dayStart(utcDateString(target)).getTime()) await this.hooks.runAdvanceEnd(target);
      }
      return { now: target, daysAccrued };
    }, true);
  }

  /**
   * Runs every boundary up to `now` whose start-of-day work has not completed: after a crash
   * mid-advance, and continuously in real-time mode. Returns how many days it ran.
   */
  async catchUp(options: { wait: boolean } = { wait: true }): Promise<number> {
    const ran = await this.exclusively(async () => {
      const { from, days } = await this.runDueDayStarts();
      await this.hooks.runTimeReached(from);
      return days;
    }, options.wait);
    return ran ?? 0;
  }

  /**
   * Runs every boundary up to the clock's time whose start-of-day work has not completed;
   * returns that time (read once, under the clock lock) and how many days it ran.
   */
  private async runDueDayStarts(): Promise<{ from: Date; days: number }> {
    await this.ensureInitialized();
    const state = await this.prisma.clockState.findUniqueOrThrow({ where: { id: 1 }, select: { now: true, dayStartedThrough: true } });
    if (this.mode === 'simulated') this.held = state.now;
    const from = this.mode === 'simulated' ? state.now : wallClock();
    const due = daysAfter(utcDateString(state.dayStartedThrough), utcDateString(from));
    await this.runDayStarts(due, () => (this.mode === 'simulated' ? from : undefined));
    return { from, days: due.length };
  }

  /**
   * The starts of `days`, in order, the days before the last in quiet stretches where the steps
   * allow (quiet-stretch.ts); after day i the clock is moved to `next(i)` when there is one.
   */
  private async runDayStarts(days: string[], next: (index: number) => Date | undefined): Promise<void> {
    await runDaysInStretches(
      days.length,
      (i) => this.runDayStart(days[i], next(i)),
      (from, count) => this.runQuietStretch(days.slice(from, from + count), next(from + count - 1)),
    );
  }

  /**
   * A quiet stretch in one transaction: every step's bulk work, then the stretch's days marked
   * done and the clock moved on, in the same transaction, so a crash leaves all of it or none.
   * When a step refuses, everything rolls back and its verdict says what to try instead.
   */
  private async runQuietStretch(days: string[], next?: Date): Promise<StretchVerdict> {
    const last = days.at(-1)!;
    try {
      await this.prisma.$transaction(
        async (tx) => {
          const verdict = await this.hooks.runQuietStretch(tx, { days: days.map((date) => ({ date, at: dayStart(date) })) });
          if (verdict !== 'done') throw new StretchRefused(verdict);
          if (next) {
            await tx.$executeRaw`UPDATE clock_state SET day_started_through = ${last}::date, now = ${next}, updated_at = now() WHERE id = 1`;
          } else {
            await tx.$executeRaw`UPDATE clock_state SET day_started_through = ${last}::date, updated_at = now() WHERE id = 1`;
          }
        },
        { timeout: ADVANCE_TIMEOUT_MS, maxWait: 60_000 },
      );
    } catch (error) {
      if (error instanceof StretchRefused) return error.verdict;
      throw error;
    }
    if (next) this.held = next;
    this.logger.log(`days ${days[0]} to ${last} started, as one quiet stretch`);
    return 'done';
  }

  /** The day's start; then the day marked done and, when given, the clock moved to `next`, in one statement. */
  private async runDayStart(date: string, next?: Date): Promise<void> {
    await this.hooks.runTimeReached(dayStart(date));
    await this.hooks.runAll({ date, at: dayStart(date) });
    if (next) {
      await this.prisma.$executeRaw`
        UPDATE clock_state SET day_started_through = ${date}::date, now = ${next}, updated_at = now() WHERE id = 1`;
      this.held = next;
    } else {
      await this.prisma.$executeRaw`
        UPDATE clock_state SET day_started_through = ${date}::date, updated_at = now() WHERE id = 1`;
    }
    this.logger.log(`day ${date} started`);
  }

  private async setNow(at: Date): Promise<void> {
    await this.prisma.$executeRaw`UPDATE clock_state SET now = ${at}, updated_at = now() WHERE id = 1`;
    this.held = at;
  }

  /**
   * One advance or catch-up at a time across every process: a Postgres advisory lock, held by
   * a transaction that does nothing else. Without `wait`, gives up (undefined) when it is taken.
   */
  private async exclusively<T>(work: () => Promise<T>, wait: true): Promise<T>;
  private async exclusively<T>(work: () => Promise<T>, wait: boolean): Promise<T | undefined>;
  private async exclusively<T>(work: () => Promise<T>, wait: boolean): Promise<T | undefined> {
    return this.prisma.$transaction(
      async (tx) => {
        if (wait) {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLOCK_LOCK_KEY})`;
        } else {
          const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`SELECT pg_try_advisory_xact_lock(${CLOCK_LOCK_KEY}) AS locked`;
          if (!locked) return undefined;
        }
        try {
          return await work();
        } finally {
          // The lock goes with this transaction: from here another process may move the clock.
          this.held = undefined;
        }
      },
      { timeout: ADVANCE_TIMEOUT_MS, maxWait: 60_000 },
    );
  }
}

/** Thrown inside a stretch's transaction to roll it back when a step refuses the stretch. */
class StretchRefused extends Error {
  constructor(readonly verdict: Exclude<StretchVerdict, 'done'>) {
    super(`quiet stretch refused: ${verdict}`);
  }
}
