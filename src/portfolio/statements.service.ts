import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { Decimal, dec, ZERO } from '../common/money/decimal.js';
import { roundOwedByUser, roundOwedToUser } from '../common/money/rounding.js';
import { findAsset } from '../common/money/assets.js';
import { invalidField } from '../common/errors/domain-error.js';
import { addDays, dayStart } from '../clock/dates.js';
import { checkDateRange } from '../clock/date-range.js';
import { dayRatesFromHistory, interestForDay } from './interest-history.js';

export interface StatementLine {
  id: string;
  type: string;
  asset: string | null;
  amount: string | null;
  at: string;
  description: string | null;
  details: unknown;
}

export interface InterestLine {
  date: string;
  asset: string;
  kind: 'earned' | 'charged';
  amount: string;
}

const MAX_LINES = 1000;
const MAX_INTEREST_DAYS = 3660;

/** What happened to an account: its ledger transactions, and interest per day from the index history. */
@Injectable()
export class StatementsService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * The account's ledger transactions and, since accrual posts per market and not per account,
   * one `interest` line per accrued day, asset and kind with the figures of `interest()` (days
   * with nothing earned or charged have none), dated
   * at the day's close (00:00 of the next day). Newest first; a day's interest line comes after
   * (below) what happened at the instant it closed, since the close runs before anything else then.
   */
  async transactions(accountId: string, rawLimit?: string): Promise<StatementLine[]> {
    const limit = rawLimit === undefined ? 100 : /^[0-9]{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LINES)) throw invalidField('limit', `must be a whole number from 1 to ${MAX_LINES}`);
    const rows = await this.prisma.ledgerTransaction.findMany({ where: { accountId }, orderBy: { id: 'desc' }, take: limit });
    const ledgerLines = rows.map((row): StatementLine => {
      const metadata = (row.metadata ?? {}) as Record<string, unknown>;
      return {
        id: row.id.toString(),
        type: row.type,
        asset: typeof metadata.asset === 'string' ? metadata.asset : null,
        amount: typeof metadata.amount === 'string' ? metadata.amount : null,
        at: row.at.toISOString(),
        description: row.description,
        details: metadata,
      };
    });
    const interestLines = (await this.interest(accountId)).filter((line) => !dec(line.amount).isZero()).map(
      (line): StatementLine => ({
        id: `interest-${line.date}-${line.asset}-${line.kind}`,
        type: 'interest',
        asset: line.asset,
        amount: line.amount,
        at: dayStart(addDays(line.date, 1)).toISOString(),
        description: `${line.amount} ${line.asset} interest ${line.kind} on ${line.date}`,
        details: { date: line.date, kind: line.kind },
      }),
    );
    // Both lists are newest first; a stable sort keeps each one's order among equal instants.
    return [...ledgerLines, ...interestLines.reverse()].sort((a, b) => (a.at === b.at ? 0 : a.at > b.at ? -1 : 1)).slice(0, limit);
  }

  /**
   * Interest earned (positions) and charged (loans) per accrued day and asset, derived from the
   * scaled history of each and the market's index history (the accrual itself never touches
   * them).
   */
  async interest(accountId: string, from?: string, to?: string): Promise<InterestLine[]> {
    checkDateRange(from, to);
    const order = [{ at: 'asc' as const }, { id: 'asc' as const }];
    const positions = await this.prisma.position.findMany({ where: { accountId }, include: { changes: { orderBy: order } } });
    const loans = await this.prisma.loan.findMany({ where: { accountId }, include: { changes: { orderBy: order } } });
    const balances = [
      ...positions.flatMap((p) => byLane(p.changes).map((lane) => ({ asset: p.asset, kind: 'earned' as const, ...lane }))),
      ...loans.flatMap((l) => byLane(l.changes).map((lane) => ({ asset: l.asset, kind: 'charged' as const, ...lane }))),
    ];
    const perDay = new Map<string, InterestLine & { exact: Decimal }>();
    const histories = new Map<string, ReturnType<StatementsService['history']>>();
    for (const balance of balances) {
      const first = balance.changes[0]?.at;
      if (!first) continue;
      const start = from && from > first.toISOString().slice(0, 10) ? from : first.toISOString().slice(0, 10);
      // Several loans (or loans and a position) in one asset read its history once.
      const historyKey = `${balance.asset} ${balance.kind} ${balance.tier} ${start}`;
      if (!histories.has(historyKey)) {
        histories.set(historyKey, this.history(balance.asset, balance.kind, balance.tier, addDays(start, -1), to ?? '9999-12-31'));
      }
      const history = await histories.get(historyKey)!;
      const firstIsPrevious = history[0]?.date === addDays(start, -1);
      const days = dayRatesFromHistory(firstIsPrevious ? history.slice(1) : history, firstIsPrevious ? dec(history[0].indexAtEnd) : undefined);
      for (const day of days) {
        const startMs = dayStart(day.date).getTime();
        const endMs = startMs + 86_400_000;
        const before = balance.changes.filter((c) => c.at.getTime() < startMs);
        const scaledAtStart = before.length ? dec(before[before.length - 1].scaledAfter) : ZERO;
        const during = balance.changes
          .filter((c) => c.at.getTime() >= startMs && c.at.getTime() < endMs)
          .map((c) => ({ at: c.at, scaledAfter: dec(c.scaledAfter) }));
        if (scaledAtStart.isZero() && during.every((c) => c.scaledAfter.isZero())) continue;
        // Several loans (or a position and a loan) in one asset make one line per day and kind.
        const key = `${day.date} ${balance.asset} ${balance.kind}`;
        const line = perDay.get(key) ?? { date: day.date, asset: balance.asset, kind: balance.kind, amount: '', exact: ZERO };
        line.exact = line.exact.plus(interestForDay(day, scaledAtStart, during));
        perDay.set(key, line);
      }
    }
    return [...perDay.values()]
      .map(({ exact, ...line }) => {
        const decimals = findAsset(line.asset)!.decimals;
        // What a user earned rounds down; what a user was charged rounds up.
        const amount = line.kind === 'earned' ? roundOwedToUser(exact, decimals) : roundOwedByUser(exact, decimals);
        return { ...line, amount: amount.toFixed(decimals) };
      })
      .sort((a, b) => (a.date === b.date ? `${a.asset}${a.kind}`.localeCompare(`${b.asset}${b.kind}`) : a.date < b.date ? -1 : 1));
  }

  /** A lane's day rates and end-of-day indexes (market_lane_days). */
  private history(asset: string, kind: 'earned' | 'charged', tier: string, from: string, to: string) {
    return kind === 'earned'
      ? this.prisma.$queryRaw<{ date: string; apr: string; indexAtEnd: string }[]>`
          SELECT to_char(date, 'YYYY-MM-DD') AS date, supply_apr::text AS apr, supply_index::text AS "indexAtEnd"
          FROM market_lane_days WHERE asset = ${asset} AND tier = ${tier} AND date >= ${from}::date AND date <= ${to}::date
          ORDER BY date LIMIT ${MAX_INTEREST_DAYS + 1}`
      : this.prisma.$queryRaw<{ date: string; apr: string; indexAtEnd: string }[]>`
          SELECT to_char(date, 'YYYY-MM-DD') AS date, borrow_apr::text AS apr, borrow_index::text AS "indexAtEnd"
          FROM market_lane_days WHERE asset = ${asset} AND tier = ${tier} AND date >= ${from}::date AND date <= ${to}::date
          ORDER BY date LIMIT ${MAX_INTEREST_DAYS + 1}`;
  }
}

/**
 * A balance that moved between lanes (its account changed tier) is, for interest, one balance
 * per lane: in a lane, the scaled amount after a change is the change's if it left the balance
 * in that lane, zero otherwise.
 */
function byLane<C extends { at: Date; scaledAfter: { toString(): string }; tier: string }>(changes: C[]) {
  const tiers = [...new Set(changes.map((c) => c.tier))];
  return tiers.map((tier) => ({
    tier,
    changes: changes.map((c) => ({ at: c.at, scaledAfter: c.tier === tier ? c.scaledAfter.toString() : '0' })),
  }));
}
