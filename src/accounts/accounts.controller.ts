import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { AccountRefView, CreateAccountDto } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Post()
  @ApiCreatedResponse({ type: AccountRefView })
  create(@CurrentCaller() caller: Caller, @Body() body: CreateAccountDto): Promise<AccountRefView> {
    return this.accounts.create(caller, body.label, body.userId);
  }

  /** The caller's own accounts (the admin sees every account). */
  @Get()
  list(@CurrentCaller() caller: Caller) {
    return this.accounts.listForCaller(caller);
  }
}
