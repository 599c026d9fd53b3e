import { Injectable } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { PRICE_DECIMALS, checkAmount } from '../common/money/amount.js';
import { ASSET_CODES } from '../common/money/assets.js';
import { invalidField } from '../common/errors/domain-error.js';
import { requireAsset } from '../common/money/require-asset.js';

export interface PriceView {
  asset: string;
  price: string;
  at: string;
}

/** The oracle: USD prices set by the admin (or a scenario), every one kept as history. */
@Injectable()
export class PricesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  static parsePrice(raw: unknown): Decimal {
    const checked = checkAmount(raw, PRICE_DECIMALS);
    if (!checked.ok) throw invalidField('price', checked.message);
    return checked.value;
  }

  async set(assetCode: string, rawPrice: unknown): Promise<PriceView & { pointId: string }> {
    const asset = requireAsset(assetCode);
    const price = PricesService.parsePrice(rawPrice);
    const at = await this.clock.now();
    const point = await this.prisma.pricePoint.create({ data: { asset: asset.code, price: price.toFixed(), at }, select: { id: true } });
    return { asset: asset.code, price: price.toFixed(), at: at.toISOString(), pointId: point.id.toString() };
  }

  async list(): Promise<PriceView[]> {
    const rows = await this.latestRows(this.prisma);
    return rows.map((row) => ({ asset: row.asset, price: dec(row.price).toFixed(), at: row.at.toISOString() }));
  }

  /** Current price of every asset that has one. */
  async current(tx: Tx = this.prisma): Promise<Map<string, Decimal>> {
    const rows = await this.latestRows(tx);
    return new Map(rows.map((row) => [row.asset, dec(row.price)]));
  }

  /**
   * The prices of `assets` (every listed asset by default) as of 00:00 UTC of each day from
   * `from` to `to`: the newest point at or before that instant (points are stored as the clock
   * moves on: the latest `at`, the highest id among equals), found on the (asset, at, id) index.
   * One statement for every day: day → asset → price.
   */
  async atDayStarts(from: string, to: string, tx: Tx = this.prisma, assets: readonly string[] = ASSET_CODES): Promise<Map<string, Map<string, Decimal>>> {
    const rows = await tx.$queryRaw<{ date: string; asset: string; price: string }[]>`
      SELECT to_char(d.day, 'YYYY-MM-DD') AS date, p.asset, p.price::text AS price
      FROM generate_series(${from}::timestamp, ${to}::timestamp, interval '1 day') AS d(day)
      CROSS JOIN unnest(${assets}::text[]) AS a(code)
      CROSS JOIN LATERAL (
        SELECT asset, price FROM price_points WHERE asset = a.code AND at <= d.day AT TIME ZONE 'UTC' ORDER BY at DESC, id DESC LIMIT 1
      ) p
      ORDER BY d.day, p.asset`;
    const days = new Map<string, Map<string, Decimal>>();
    for (const row of rows) {
      const prices = days.get(row.date) ?? new Map<string, Decimal>();
      days.set(row.date, prices.set(row.asset, dec(row.price)));
    }
    return days;
  }

  private latestRows(tx: Tx) {
    // The newest point per asset: a walk down the (asset, id) index for each listed asset.
    return tx.$queryRaw<{ asset: string; price: string; at: Date }[]>`
      SELECT p.asset, p.price::text AS price, p.at
      FROM unnest(${ASSET_CODES}::text[]) AS a(code)
      CROSS JOIN LATERAL (
        SELECT asset, price, at FROM price_points WHERE asset = a.code ORDER BY id DESC LIMIT 1
      ) p
      ORDER BY p.asset`;
  }
}
