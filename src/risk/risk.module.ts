import { Global, Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { LoansModule } from '../loans/loans.module.js';
import { AccountSnapshotService } from './account-snapshot.service.js';
import { LiquidationService } from './liquidation.service.js';
import { RiskSweepService } from './risk-sweep.service.js';
import { RiskSweeps } from './risk.jobs.js';

@Global()
@Module({
  imports: [PricesModule, LoansModule],
  providers: [AccountSnapshotService, LiquidationService, RiskSweepService, RiskSweeps],
  exports: [AccountSnapshotService, LiquidationService, RiskSweepService, RiskSweeps],
})
export class RiskModule {}
