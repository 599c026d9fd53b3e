import { Global, Module } from '@nestjs/common';
import { PricesModule } from '../prices/prices.module.js';
import { AccountSnapshotService } from './account-snapshot.service.js';

@Global()
@Module({ imports: [PricesModule], providers: [AccountSnapshotService], exports: [AccountSnapshotService] })
export class RiskModule {}
