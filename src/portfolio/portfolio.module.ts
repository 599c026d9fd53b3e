import { Module } from '@nestjs/common';
import { PortfolioController } from './portfolio.controller.js';
import { PortfolioService } from './portfolio.service.js';
import { StatementsService } from './statements.service.js';

@Module({
  controllers: [PortfolioController],
  providers: [PortfolioService, StatementsService],
  exports: [PortfolioService],
})
export class PortfolioModule {}
