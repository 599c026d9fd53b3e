import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentCaller, KeyCheckedByMovement } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { Idempotent } from '../common/idempotency/idempotency.decorator.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import type { CommandResult, IdempotentRequest } from '../common/idempotency/idempotency.service.js';
import { parseAmountOf, parseAssetOnNetwork } from '../common/money/parse-request.js';
import { requireAsset } from '../common/money/require-asset.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { IDEMPOTENCY_HEADER_DOC } from '../accounts/accounts.controller.js';
import { DepositsService } from './deposits.service.js';
import { DepositStatements } from './deposit-statements.js';
import { Operation } from '../common/http/api-docs.js';
import { DepositDto, DepositResultView, WithdrawalDto, WithdrawalResultView } from './deposits.dto.js';

@ApiTags('deposits')
@Controller('v1/accounts/:id')
export class DepositsController {
  constructor(
    private readonly deposits: DepositsService,
    private readonly statements: DepositStatements,
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Deposits and lends at once; the whole position matures one lending period from now (or
   * keeps its maturity, settings.topUpResetsMaturity). Tried
   * first through the SQL functions (DepositStatements), else through DepositsService.
   */
  @Post('deposits')
  @KeyCheckedByMovement()
  @Operation('Deposit an asset: lent at once, locked for one lending period', {
    400: ['UNKNOWN_ASSET', 'UNSUPPORTED_NETWORK'],
    403: ['KYC_REQUIRED'],
    404: ['NOT_FOUND'],
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: DepositResultView })
  async deposit(
    @CurrentCaller() caller: Caller,
    @Param('id') accountId: string,
    @Body() body: DepositDto,
    @Idempotent() request: IdempotentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const { asset, network } = parseAssetOnNetwork(body.asset, body.network);
    const amount = parseAmountOf(asset, body.amount);
    IdempotencyService.checkKey(request.key);
    const fast = await this.statements.deposit(request, accountId, asset, amount, network);
    if (fast) return answer(response, fast);
    const account = await this.accounts.findForCaller(caller, accountId);
    return this.idempotency.respond(request, response, 201, (tx) => this.deposits.deposit(tx, account, asset, amount, network));
  }

  /** Pays out the whole matured position, interest included, or part of it when the platform rules allow. */
  @Post('withdrawals')
  @KeyCheckedByMovement()
  @Operation('Withdraw a matured position, interest included: the whole of it, or part when the platform allows', {
    400: ['UNKNOWN_ASSET'],
    404: ['NOT_FOUND', 'NO_POSITION'],
    409: ['POSITION_LOCKED', 'LTV_LIMIT_EXCEEDED', 'INSUFFICIENT_LIQUIDITY'],
    422: ['PARTIAL_WITHDRAWAL_NOT_ALLOWED', 'AMOUNT_EXCEEDS_POSITION'],
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: WithdrawalResultView })
  async withdraw(
    @CurrentCaller() caller: Caller,
    @Param('id') accountId: string,
    @Body() body: WithdrawalDto,
    @Idempotent() request: IdempotentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const asset = requireAsset(body.asset);
    const amount = body.amount === undefined ? undefined : parseAmountOf(asset, body.amount);
    IdempotencyService.checkKey(request.key);
    const fast = await this.statements.withdraw(request, accountId, asset, amount);
    if (fast) return answer(response, fast);
    const account = await this.accounts.findForCaller(caller, accountId);
    return this.idempotency.respond(request, response, 201, (tx) => this.deposits.withdraw(tx, account, asset, amount));
  }
}

/** A result of the SQL-function path, answered as IdempotencyService.respond answers. */
function answer(response: Response, result: CommandResult): unknown {
  response.status(result.statusCode);
  return result.body;
}
