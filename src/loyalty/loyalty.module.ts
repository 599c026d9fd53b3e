import { Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { LoyaltyService } from './loyalty.service.js';

@Module({ imports: [PricesModule], providers: [LoyaltyService], exports: [LoyaltyService] })
export class LoyaltyModule {}
