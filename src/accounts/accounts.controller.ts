import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Operation } from '../common/http/api-docs.js';
import type { Response } from 'express';
import { CurrentCaller } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { AccountListItemView, AccountRefView, CreateAccountDto } from './accounts.dto.js';
import { AccountsService } from './accounts.service.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import type { IdempotentRequest } from '../common/idempotency/idempotency.service.js';
import { Idempotent } from '../common/idempotency/idempotency.decorator.js';

export const IDEMPOTENCY_HEADER_DOC = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Up to 255 characters; a repeat with the same body replays the first response, another body gets 422',
};

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Opens a sub-account. Idempotent with `Idempotency-Key`, like the money-moving POSTs. */
  @Post()
  @Operation('Open a sub-account', { 404: ['NOT_FOUND'] })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: AccountRefView })
  async create(
    @CurrentCaller() caller: Caller,
    @Body() body: CreateAccountDto,
    @Idempotent() request: IdempotentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    return this.idempotency.respond(request, response, 201, (tx) => this.accounts.create(tx, caller, body.label, body.userId));
  }

  /** The caller's own accounts (the admin sees every account). */
  @Get()
  @Operation('List the caller’s accounts')
  @ApiOkResponse({ type: [AccountListItemView] })
  list(@CurrentCaller() caller: Caller) {
    return this.accounts.listForCaller(caller);
  }
}
