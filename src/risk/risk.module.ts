import { Module } from '@nestjs/common';
import { AccrualModule } from '../accrual/accrual.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { LedgerModule } from '../ledger/ledger.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PricesModule } from '../prices/prices.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { LiquidationService } from './liquidation.service.js';
import { RiskSweepService } from './risk-sweep.service.js';
import { RiskSweeps } from './risk.jobs.js';
import { SweepOnPriceMove } from './sweep-on-price-move.js';

@Module({
  imports: [AccrualModule, ClockModule, LedgerModule, MarketsModule, NotificationsModule, PricesModule, SettingsModule, HoldingsModule],
  providers: [LiquidationService, RiskSweepService, RiskSweeps, SweepOnPriceMove],
  exports: [LiquidationService, RiskSweepService, RiskSweeps],
})
export class RiskModule {}
