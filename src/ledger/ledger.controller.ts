import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { LedgerCheckService, LedgerCheck } from './ledger-check.service.js';

@ApiTags('ledger')
@Controller('v1/ledger')
export class LedgerController {
  constructor(private readonly checker: LedgerCheckService) {}

  @Get('check')
  @AdminOnly()
  @ApiOkResponse({ description: '{ balanced, assets: [{ asset, debits, credits }], mismatches: [...] }' })
  check(): Promise<LedgerCheck> {
    return this.checker.check();
  }
}
