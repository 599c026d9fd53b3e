import { Module } from '@nestjs/common';
import { AccrualModule } from '../accrual/accrual.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { PricesModule } from '../prices/prices.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { LoyaltyService } from './loyalty.service.js';

@Module({
  imports: [AccrualModule, ClockModule, MarketsModule, NotificationsModule, PricesModule, SettingsModule],
  providers: [LoyaltyService],
  exports: [LoyaltyService],
})
export class LoyaltyModule {}
