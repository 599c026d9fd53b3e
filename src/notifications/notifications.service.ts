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
   *
   * One statement, no transaction (SQL on purpose: this runs at every move of the clock, and
   * almost always finds nothing, so its round trips were all of its cost): the watermark is
   * locked (FOR UPDATE), the notices stored and the watermark moved together, atomically, as
   * the transaction of three statements did. The watermark's row is created once per process.
   */
  async noticeMaturities(now: Date): Promise<number> {
    await (this.markCreated ??= this.prisma.$executeRaw`
      INSERT INTO sweep_marks (name, through) VALUES ('maturity', '1970-01-01T00:00:00Z') ON CONFLICT (name) DO NOTHING`.catch((error: unknown) => {
      this.markCreated = undefined;
      throw error;
    }));
    const [{ stored }] = await this.prisma.$queryRaw<{ stored: number }[]>`
      WITH mark AS (
        SELECT through FROM sweep_marks WHERE name = 'maturity' FOR UPDATE
      ), stored AS (
        INSERT INTO notifications (account_id, type, at, data, dedupe_key)
        SELECT p.account_id, 'maturity', p.matures_at,
               jsonb_build_object('asset', p.asset, 'maturesAt', to_char(p.matures_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
               'maturity:' || p.id || ':' || extract(epoch FROM p.matures_at)::text
        FROM positions p, mark
        WHERE p.matures_at > mark.through AND p.matures_at <= ${now} AND p.scaled > 0
        ORDER BY p.matures_at, p.id
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING 1
      ), moved AS (
        UPDATE sweep_marks SET through = GREATEST(through, ${now}) WHERE name = 'maturity' AND EXISTS (SELECT 1 FROM mark)
      )
      SELECT count(*)::int AS stored FROM stored`;
    return stored;
  }

  private markCreated?: Promise<number>;
}
