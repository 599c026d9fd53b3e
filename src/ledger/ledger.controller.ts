import { LedgerCheckView } from './ledger.dto.js';
import { Operation } from '../common/http/api-docs.js';
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
  @Operation('Recompute every balance from the ledger’s entries')
  @ApiOkResponse({ type: LedgerCheckView })
  check(): Promise<LedgerCheck> {
    return this.checker.check();
  }
}
