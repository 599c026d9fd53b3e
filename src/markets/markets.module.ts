import { Global, Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { MarketsController } from './markets.controller.js';
import { MarketsRepository } from './markets.repository.js';
import { MarketsService } from './markets.service.js';

@Global()
@Module({
  imports: [PricesModule],
  controllers: [MarketsController],
  providers: [MarketsService, MarketsRepository],
  exports: [MarketsService, MarketsRepository],
})
export class MarketsModule {}
