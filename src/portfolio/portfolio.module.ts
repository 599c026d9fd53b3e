import { Module } from '@nestjs/common';
import { AccountsModule } from '../accounts/accounts.module.js';
import { ClockModule } from '../clock/clock.module.js';
import { NotificationsModule } from '../notifications/notifications.module.js';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { MarketsModule } from '../markets/markets.module.js';
import { PricesModule } from '../prices/prices.module.js';
import { AccountHistoryService } from './account-history.service.js';
import { PortfolioController } from './portfolio.controller.js';
import { PortfolioService } from './portfolio.service.js';
import { StatementsService } from './statements.service.js';

@Module({
  imports: [AccountsModule, ClockModule, HoldingsModule, MarketsModule, NotificationsModule, PricesModule],
  controllers: [PortfolioController],
  providers: [AccountHistoryService, PortfolioService, StatementsService],
  exports: [PortfolioService],
})
export class PortfolioModule {}
