import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { PricesModule } from '../prices/prices.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { MarketsController } from './markets.controller.js';
import { MarketsRepository } from './markets.repository.js';
import { MarketsService } from './markets.service.js';

@Module({
  imports: [ClockModule, LedgerModule, PricesModule, SettingsModule],
  controllers: [MarketsController],
  providers: [MarketsService, MarketsRepository],
  exports: [MarketsService, MarketsRepository],
})
export class MarketsModule {}
