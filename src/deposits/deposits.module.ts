import { Module } from '@nestjs/common';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { DepositsController } from './deposits.controller.js';
import { DepositsService } from './deposits.service.js';

@Module({ imports: [HoldingsModule], controllers: [DepositsController], providers: [DepositsService], exports: [DepositsService] })
export class DepositsModule {}
