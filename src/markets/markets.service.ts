import { Injectable, OnModuleInit } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { ASSETS } from '../common/money/assets.js';
import { MARKET_DEFAULTS } from './market-defaults.js';

/** Markets for every listed asset exist from the first start, with the default parameters. */
@Injectable()
export class MarketsService implements OnModuleInit {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  async onModuleInit(): Promise<void> {
    const at = await this.clock.now();
    await this.prisma.market.createMany({
      data: ASSETS.map((asset) => ({ asset: asset.code, decimals: asset.decimals, ...MARKET_DEFAULTS[asset.code], updatedAt: at })),
      skipDuplicates: true,
    });
  }
}
