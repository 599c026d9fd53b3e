import { Module } from '@nestjs/common';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';

@Module({ imports: [HoldingsModule], controllers: [LoansController], providers: [LoansService], exports: [LoansService] })
export class LoansModule {}
