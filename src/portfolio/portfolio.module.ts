import { Module } from '@nestjs/common';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { PortfolioController } from './portfolio.controller.js';
import { PortfolioService } from './portfolio.service.js';
import { StatementsService } from './statements.service.js';

@Module({
  imports: [HoldingsModule],
  controllers: [PortfolioController],
  providers: [PortfolioService, StatementsService],
  exports: [PortfolioService],
})
export class PortfolioModule {}
