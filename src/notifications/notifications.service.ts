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

  /** Stores a notice once: a second call with the same dedupe key stores nothing. */
  async notify(tx: Tx, notice: { accountId: string; type: string; at: Date; data: object; dedupeKey?: string }): Promise<boolean> {
    const inserted = await tx.$executeRaw`
      INSERT INTO notifications (account_id, type, at, data, dedupe_key)
      VALUES (${notice.accountId}::uuid, ${notice.type}, ${notice.at}, ${JSON.stringify(notice.data)}::jsonb, ${notice.dedupeKey ?? null})
      ON CONFLICT (dedupe_key) DO NOTHING`;
    return inserted > 0;
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
