import { Module } from '@nestjs/common';
import { MarketsModule } from '../markets/markets.module.js';
import { PricesModule } from '../prices/prices.module.js';
import { AccountSnapshotService } from './account-snapshot.service.js';

/**
 * Positions and loans, below the modules that move them (deposits, loans) and those that read
 * or re-scale them (risk, loyalty, portfolio): the account lock and snapshot, the rows' shared
 * writes and their change history, and the amounts they are worth.
 */
@Module({ imports: [MarketsModule, PricesModule], providers: [AccountSnapshotService], exports: [AccountSnapshotService] })
export class HoldingsModule {}
