import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentCaller, KeyCheckedByMovement } from '../common/auth/auth.decorators.js';
import type { Caller } from '../common/auth/caller.js';
import { Idempotent } from '../common/idempotency/idempotency.decorator.js';
import { IdempotencyService } from '../common/idempotency/idempotency.service.js';
import type { IdempotentRequest } from '../common/idempotency/idempotency.service.js';
import { checkAmount } from '../common/money/amount.js';
import { parseAmountOf } from '../common/money/parse-request.js';
import { requireAsset } from '../common/money/require-asset.js';
import { invalidField } from '../common/errors/domain-error.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { IDEMPOTENCY_HEADER_DOC } from '../accounts/accounts.controller.js';
import { LoansService } from './loans.service.js';
import { RepaymentStatements } from './repayment-statements.js';
import { BorrowDto, LoanResultView, RepayDto } from './loans.dto.js';
import { Operation } from '../common/http/api-docs.js';

@ApiTags('loans')
@Controller('v1')
export class LoansController {
  constructor(
    private readonly loans: LoansService,
    private readonly repayments: RepaymentStatements,
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /** Borrows against the account's positions; paid out to the user's external wallet. */
  @Post('accounts/:id/loans')
  @Operation('Borrow against the account’s positions', {
    400: ['UNKNOWN_ASSET'],
    403: ['KYC_REQUIRED'],
    404: ['NOT_FOUND'],
    409: ['LTV_LIMIT_EXCEEDED', 'INSUFFICIENT_LIQUIDITY', 'PRICE_UNAVAILABLE'],
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: LoanResultView, description: 'The loan, paid out to the user’s external wallet' })
  async borrow(
    @CurrentCaller() caller: Caller,
    @Param('id') accountId: string,
    @Body() body: BorrowDto,
    @Idempotent() request: IdempotentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    const asset = requireAsset(body.asset);
    const amount = parseAmountOf(asset, body.amount);
    IdempotencyService.checkKey(request.key);
    const account = await this.accounts.findForCaller(caller, accountId);
    return this.idempotency.respond(request, response, 201, (tx) => this.loans.borrow(tx, account, asset, amount));
  }

  @Post('loans/:id/repayments')
  @KeyCheckedByMovement()
  @Operation('Repay part or all of a loan, from outside the platform', {
    404: ['NOT_FOUND'],
    409: ['LOAN_REPAID'],
    422: ['AMOUNT_EXCEEDS_DEBT'],
  })
  @ApiHeader(IDEMPOTENCY_HEADER_DOC)
  @ApiCreatedResponse({ type: LoanResultView, description: 'The loan after the repayment (interest is paid first)' })
  async repay(
    @CurrentCaller() caller: Caller,
    @Param('id') loanId: string,
    @Body() body: RepayDto,
    @Idempotent() request: IdempotentRequest,
    @Res({ passthrough: true }) response: Response,
  ): Promise<unknown> {
    // The loan's asset decides the decimals; 18 is the most any asset has, checked again below.
    const amount = body.amount === 'all' ? 'all' : checkAmount(body.amount, 18);
    if (amount !== 'all' && !amount.ok) throw invalidField('amount', `${amount.message}, or "all"`);
    IdempotencyService.checkKey(request.key);
    const fast = await this.repayments.repay(request, loanId, body.amount);
    if (fast) {
      response.status(fast.statusCode);
      return fast.body;
    }
    const asset = await this.loans.assetOfLoan(caller, loanId);
    const parsed = amount === 'all' ? 'all' : parseAmountOf(asset, body.amount);
    return this.idempotency.respond(request, response, 201, (tx) => this.loans.repay(tx, caller, loanId, parsed));
  }
}
