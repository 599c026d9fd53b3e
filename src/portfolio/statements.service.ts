import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { dec, ZERO } from '../common/money/decimal.js';
import { roundOwedToUser } from '../common/money/rounding.js';
import { findAsset } from '../common/money/assets.js';
import { invalidField } from '../common/errors/domain-error.js';
import { addDays, dayStart, isCalendarDate } from '../clock/dates.js';
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

  async transactions(accountId: string, rawLimit?: string): Promise<StatementLine[]> {
    const limit = rawLimit === undefined ? 100 : /^[0-9]{1,4}$/.test(rawLimit) ? Number(rawLimit) : NaN;
    if (!(limit >= 1 && limit <= MAX_LINES)) throw invalidField('limit', `must be a whole number from 1 to ${MAX_LINES}`);
    const rows = await this.prisma.ledgerTransaction.findMany({ where: { accountId }, orderBy: { id: 'desc' }, take: limit });
    return rows.map((row) => {
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
  }

  /**
   * Interest earned per accrued day and asset, derived from each position's scaled history and
   * the market's index history (the accrual itself never touches positions). Each day's
   * figure is rounded down to the asset's decimals.
   */
  async interest(accountId: string, from?: string, to?: string): Promise<InterestLine[]> {
    for (const [field, value] of [['from', from], ['to', to]] as const) {
      if (value !== undefined && !isCalendarDate(value)) throw invalidField(field, 'must be a date written YYYY-MM-DD');
    }
    if (from && to && from > to) throw invalidField('from', 'must not be after to');
    const positions = await this.prisma.position.findMany({
      where: { accountId },
      include: { changes: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
      orderBy: { asset: 'asc' },
    });
    const lines: InterestLine[] = [];
    for (const position of positions) {
      const decimals = findAsset(position.asset)!.decimals;
      const first = position.changes[0]?.at;
      if (!first) continue;
      const start = from && from > first.toISOString().slice(0, 10) ? from : first.toISOString().slice(0, 10);
      const history = await this.prisma.$queryRaw<{ date: string; apr: string; indexAtEnd: string }[]>`
        SELECT to_char(date, 'YYYY-MM-DD') AS date, supply_apr::text AS apr, supply_index::text AS "indexAtEnd"
        FROM market_days WHERE asset = ${position.asset} AND date >= ${addDays(start, -1)}::date AND date <= ${to ?? '9999-12-31'}::date
        ORDER BY date LIMIT ${MAX_INTEREST_DAYS + 1}`;
      const firstIsPrevious = history[0]?.date === addDays(start, -1);
      const days = dayRatesFromHistory(firstIsPrevious ? history.slice(1) : history, firstIsPrevious ? dec(history[0].indexAtEnd) : undefined);
      for (const day of days) {
        const startMs = dayStart(day.date).getTime();
        const endMs = startMs + 86_400_000;
        const before = position.changes.filter((c) => c.at.getTime() < startMs);
        const scaledAtStart = before.length ? dec(before[before.length - 1].scaledAfter) : ZERO;
        const during = position.changes
          .filter((c) => c.at.getTime() >= startMs && c.at.getTime() < endMs)
          .map((c) => ({ at: c.at, scaledAfter: dec(c.scaledAfter) }));
        if (scaledAtStart.isZero() && during.every((c) => c.scaledAfter.isZero())) continue;
        const amount = roundOwedToUser(interestForDay(day, scaledAtStart, during), decimals);
        lines.push({ date: day.date, asset: position.asset, kind: 'earned', amount: amount.toFixed(decimals) });
      }
    }
    return lines.sort((a, b) => (a.date === b.date ? a.asset.localeCompare(b.asset) : a.date < b.date ? -1 : 1));
  }
}
