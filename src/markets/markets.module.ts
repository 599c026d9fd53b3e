import { Module } from '@nestjs/common';
import { MarketsService } from './markets.service.js';

@Module({ providers: [MarketsService], exports: [MarketsService] })
export class MarketsModule {}
