import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { DayStartHooks } from '../clock/day-start.hooks.js';

export interface NotificationView {
  id: string;
  type: string;
  at: string;
  data: unknown;
}

/** Stored notices per account: margin calls, liquidations, maturities. */
@Injectable()
export class NotificationsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly hooks: DayStartHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.onTimeReached({ name: 'maturity notices', run: (now) => this.noticeMaturities(now) });
  }

  /** Stores notices in one statement, each once: returns the dedupe keys that were new (a repeat stores nothing). */
  async notifyMany(tx: Tx, notices: { accountId: string; type: string; at: Date; data: object; dedupeKey?: string }[]): Promise<Set<string>> {
    if (notices.length === 0) return new Set();
    const rows = await tx.$queryRaw<{ dedupe_key: string | null }[]>`
      INSERT INTO notifications (account_id, type, at, data, dedupe_key)
      SELECT * FROM unnest(${notices.map((n) => n.accountId)}::uuid[], ${notices.map((n) => n.type)}::text[],
                           ${notices.map((n) => n.at)}::timestamptz[], ${notices.map((n) => JSON.stringify(n.data))}::jsonb[],
                           ${notices.map((n) => n.dedupeKey ?? null)}::text[])
      ON CONFLICT (dedupe_key) DO NOTHING
      RETURNING dedupe_key`;
    return new Set(rows.flatMap((row) => (row.dedupe_key ? [row.dedupe_key] : [])));
  }

  async list(accountId: string): Promise<NotificationView[]> {
    const rows = await this.prisma.notification.findMany({ where: { accountId }, orderBy: { id: 'asc' }, take: 10_000 });
    return rows.map((row) => ({ id: row.id.toString(), type: row.type, at: row.at.toISOString(), data: row.data }));
  }

  /**
   * A `maturity` notice for every position whose maturity the clock has passed since the last
   * sweep: one set-based statement over the maturity index, from a stored watermark (a top-up
   * moves a maturity into the future, so each maturity is crossed once). The dedupe key makes
   * a repeat, or two processes at once, store each notice once.
   */
  async noticeMaturities(now: Date): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const [mark] = await tx.$queryRaw<{ through: Date }[]>`
        INSERT INTO sweep_marks (name, through) VALUES ('maturity', '1970-01-01T00:00:00Z')
        ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
        RETURNING through`;
      const stored = await tx.$executeRaw`
        INSERT INTO notifications (account_id, type, at, data, dedupe_key)
        SELECT p.account_id, 'maturity', p.matures_at,
               jsonb_build_object('asset', p.asset, 'maturesAt', to_char(p.matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
               'maturity:' || p.id || ':' || extract(epoch FROM p.matures_at)::text
        FROM positions p
        WHERE p.matures_at > ${mark.through} AND p.matures_at <= ${now} AND p.scaled > 0
        ORDER BY p.matures_at, p.id
        ON CONFLICT (dedupe_key) DO NOTHING`;
      await tx.$executeRaw`UPDATE sweep_marks SET through = GREATEST(through, ${now}) WHERE name = 'maturity'`;
      return stored;
    });
  }
}
