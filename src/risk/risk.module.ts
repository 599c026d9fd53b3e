import { Global, Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { LoansModule } from '../loans/loans.module.js';
import { HoldingsModule } from '../holdings/holdings.module.js';
import { LiquidationService } from './liquidation.service.js';
import { RiskSweepService } from './risk-sweep.service.js';
import { RiskSweeps } from './risk.jobs.js';

@Global()
@Module({
  imports: [PricesModule, LoansModule, HoldingsModule],
  providers: [LiquidationService, RiskSweepService, RiskSweeps],
  exports: [LiquidationService, RiskSweepService, RiskSweeps],
})
export class RiskModule {}
