import { Module } from '@nestjs/common';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { LoansController } from './loans.controller.js';
import { LoansService } from './loans.service.js';
import { RepaymentStatements } from './repayment-statements.js';

@Module({ imports: [HoldingsModule], controllers: [LoansController], providers: [LoansService, RepaymentStatements], exports: [LoansService] })
export class LoansModule {}
