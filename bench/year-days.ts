// Where a simulated day's time goes (the year bench's breakdown): each piece of the day timed by
// wrapping, from the outside, the handlers the clock runs and the sweep's two halves (finding
// the accounts, reviewing them), and what the day did (notices and liquidations written).
import type { INestApplicationContext } from '@nestjs/common';
import { DayStartHooks } from '../src/clock/day-start.hooks.js';
import { RiskSweepService } from '../src/risk/risk-sweep.service.js';
import { LiquidationService } from '../src/risk/liquidation.service.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { fmt } from './support.js';

export interface DayParts {
  day: number;
  totalMs: number;
  /** ms per piece (PIECES; a few are counts: searches made, accounts reviewed). */
  ms: Record<string, number>;
  /** rows written that day: notices by type, liquidations. */
  events: Record<string, number>;
}

type Timed = { run: (...args: never[]) => Promise<unknown> };

/** Wraps the handlers and the sweep's halves so that each adds its time to the current piece. */
export class DayBreakdown {
  readonly days: DayParts[] = [];
  private current: Record<string, number> = {};
  private phase = 'price';
  private lastNotice = 0n;
  private lastTx = 0n;

  constructor(private readonly app: INestApplicationContext) {
    const hooks = app.get(DayStartHooks) as unknown as { steps: Map<string, Timed[]>; timeHandlers: (Timed & { name: string })[] };
    for (const [step, handlers] of hooks.steps) for (const handler of handlers) this.wrap(handler, step, 'run');
    for (const handler of hooks.timeHandlers) this.wrap(handler, handler.name, 'run');
    this.wrap(app.get(RiskSweepService), 'find', 'accountsToReview', true);
    // The find's own search, full (every borrower) or narrowed to those past a level (sweep-bound.ts).
    this.wrap(app.get(RiskSweepService), (args) => (args[1] === null ? 'full search' : 'narrowed search'), 'search');
    this.wrap(app.get(LiquidationService), 'review', 'reviewMany', true);
    this.wrap(app.get(LiquidationService), () => 'accounts reviewed', 'reviewMany', false, (args) => (args[0] as string[]).length);
  }

  /**
   * A sub-piece ('find', 'review') is named after the piece it runs in: 'price find', 'day find'.
   * With `count`, the piece adds that figure (how many) instead of its time.
   */
  private wrap(target: object, name: string | ((args: unknown[]) => string), method: string, sub = false, count?: (args: unknown[]) => number): void {
    const object = target as Record<string, (...args: unknown[]) => Promise<unknown>>;
    const original = object[method].bind(target);
    object[method] = async (...args: unknown[]) => {
      const named = typeof name === 'string' ? name : name(args);
      if (count) {
        this.current[named] = (this.current[named] ?? 0) + count(args);
        return original(...args);
      }
      if (typeof name !== 'string') {
        const started = process.hrtime.bigint();
        try {
          return await original(...args);
        } finally {
          this.current[named] = (this.current[named] ?? 0) + Number(process.hrtime.bigint() - started) / 1e6;
          this.current[`${named}es`] = (this.current[`${named}es`] ?? 0) + 1;
        }
      }
      const key = sub ? `${this.phase === 'price' ? 'price' : 'day'} ${name}` : name;
      const outer = this.phase;
      if (!sub) this.phase = name;
      const started = process.hrtime.bigint();
      try {
        return await original(...args);
      } finally {
        this.current[key] = (this.current[key] ?? 0) + Number(process.hrtime.bigint() - started) / 1e6;
        this.phase = outer;
      }
    };
  }

  async start(): Promise<void> {
    await this.countSince();
  }

  priceDone(ms: number): void {
    this.current.price = ms;
  }

  /** Closes a day: its pieces and what it wrote (counted outside every timing). */
  async dayDone(totalMs: number): Promise<void> {
    this.days.push({ day: this.days.length + 1, totalMs, ms: this.current, events: await this.countSince() });
    this.current = {};
    this.phase = 'price';
  }

  private async countSince(): Promise<Record<string, number>> {
    const prisma = this.app.get(PrismaService);
    const rows = await prisma.$queryRaw<{ kind: string; n: number; top: bigint }[]>`
      SELECT type AS kind, count(*)::int AS n, max(id) AS top FROM notifications WHERE id > ${this.lastNotice} GROUP BY type
      UNION ALL
      SELECT 'tx:' || type, count(*)::int, max(id) FROM ledger_transactions WHERE id > ${this.lastTx} GROUP BY type`;
    const events: Record<string, number> = {};
    for (const row of rows) {
      events[row.kind] = row.n;
      if (row.kind.startsWith('tx:')) this.lastTx = row.top > this.lastTx ? row.top : this.lastTx;
      else this.lastNotice = row.top > this.lastNotice ? row.top : this.lastNotice;
    }
    return events;
  }
}

const PIECES = [
  'price',
  'price find',
  'price review',
  'maturity notices',
  'accrual',
  'loyalty tiers',
  'risk sweep',
  'day find',
  'day review',
  'full search',
  'full searches',
  'narrowed search',
  'narrowed searches',
  'accounts reviewed',
];

const describe = (d: DayParts) =>
  `| ${d.day} | ${fmt(d.totalMs)} | ${PIECES.map((p) => (d.ms[p] === undefined ? '' : d.ms[p].toFixed(0))).join(' | ')} | ${Object.entries(d.events)
    .filter(([kind]) => kind !== 'tx:accrual' && kind !== 'tx:interest')
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ')} |`;

/** Totals per piece over the year, the first days, and the slowest days with their pieces and events. */
export function reportDays(days: DayParts[], slowest = 15): string[] {
  const totals = PIECES.map((p) => days.reduce((sum, d) => sum + (d.ms[p] ?? 0), 0));
  const header = ['| day | total | ' + PIECES.join(' | ') + ' | written |', '|---:|---:|' + PIECES.map(() => '---:|').join('') + '---|'];
  return [
    '### Where the year went (ms, summed over every day)',
    '',
    '| ' + PIECES.join(' | ') + ' |',
    '|' + PIECES.map(() => '---:|').join(''),
    '| ' + totals.map((t) => t.toFixed(0)).join(' | ') + ' |',
    '',
    `### The first days`,
    '',
    ...header,
    ...days.slice(0, 5).map(describe),
    '',
    `### The ${slowest} slowest days`,
    '',
    ...header,
    ...[...days].sort((a, b) => b.totalMs - a.totalMs).slice(0, slowest).map(describe),
  ];
}
