import { Module } from '@nestjs/common';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { DepositsController } from './deposits.controller.js';
import { DepositsService } from './deposits.service.js';
import { DepositStatements } from './deposit-statements.js';

@Module({ imports: [HoldingsModule], controllers: [DepositsController], providers: [DepositsService, DepositStatements], exports: [DepositsService] })
export class DepositsModule {}
