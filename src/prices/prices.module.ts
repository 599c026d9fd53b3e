import { Module } from '@nestjs/common';
import { ClockModule } from '../clock/clock.module.js';
import { PricesController } from './prices.controller.js';
import { PricesService } from './prices.service.js';
import { PriceMoves } from './price-moves.js';

@Module({ imports: [ClockModule], controllers: [PricesController], providers: [PricesService, PriceMoves], exports: [PricesService, PriceMoves] })
export class PricesModule {}
