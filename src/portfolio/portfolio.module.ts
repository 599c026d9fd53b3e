import { Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { PortfolioController } from './portfolio.controller.js';
import { PortfolioService } from './portfolio.service.js';
import { StatementsService } from './statements.service.js';

@Module({
  imports: [PricesModule],
  controllers: [PortfolioController],
  providers: [PortfolioService, StatementsService],
  exports: [PortfolioService],
})
export class PortfolioModule {}
