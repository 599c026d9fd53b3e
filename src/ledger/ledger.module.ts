import { Module } from '@nestjs/common';
import { LedgerCheckService } from './ledger-check.service.js';
import { LedgerController } from './ledger.controller.js';
import { LedgerService } from './ledger.service.js';

@Module({
  controllers: [LedgerController],
  providers: [LedgerService, LedgerCheckService],
  exports: [LedgerService, LedgerCheckService],
})
export class LedgerModule {}
