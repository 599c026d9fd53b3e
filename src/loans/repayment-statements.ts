import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Decimal } from '../common/money/decimal.js';
import { findAsset } from '../common/money/assets.js';
import { parseAmountOf } from '../common/money/parse-request.js';
import type { CommandResult, IdempotentRequest } from '../common/idempotency/idempotency.service.js';
import { postingArgs } from '../ledger/posting-args.js';
import { liveAt } from '../markets/market-state.js';
import { FALL_BACK, msIntoDay, runMovement } from '../holdings/movement-statements.js';
import { sqlCall } from '../common/sql/sql-call.js';
import { loanViewAt } from './loans.service.js';
import { plannedRepayment, repaymentPosting } from './repayment.js';

/**
 * Repayments through the money_begin_loan / money_repay SQL functions, two round trips
 * (holdings/movement-statements.ts says why and when it falls back). The arithmetic is
 * LoansService.repay's, from the same rules (repayment.ts). Undefined: run LoansService.
 */
@Injectable()
export class RepaymentStatements {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  /** `amount` as the request wrote it ("all" or a decimal string): the loan's asset decides its decimals. */
  repay(request: IdempotentRequest, loanId: string, amount: string): Promise<CommandResult | undefined> {
    let requested: 'all' | Decimal = 'all';
    const validate = (asset: string) => {
      if (amount !== 'all') requested = parseAmountOf(findAsset(asset)!, amount);
    };
    return runMovement(this.prisma.movementPool, request, { loanId, realtime: this.clock.mode === 'realtime', validate }, (state) => {
      const { market, now, tier } = state;
      // money_begin_loan reads the whole market and the loan; without them, the Prisma path answers.
      if (!market || !state.loan) return FALL_BACK;
      const row = state.loan;
      const borrowIndex = liveAt(market, now).lanes[tier].borrowIndex;
      const { amount: paid, repayment } = plannedRepayment(loanId, row, market.decimals, borrowIndex, requested);
      const posting = repaymentPosting(loanId, row, market.decimals, paid, repayment, now);
      const after = { ...row, scaled_debt: repayment.scaledAfter.toFixed(), principal: repayment.principalAfter.toFixed() };
      return {
        statusCode: 201,
        body: { loan: loanViewAt(after, market, now, tier) },
        call: (keyId, statusCode, response) =>
          sqlCall('money_repay', [
            ['uuid', row.account_id], ['uuid', row.id], ['text', row.asset], ['text', tier], ['timestamptz', now], ['bigint', msIntoDay(now)],
            ['numeric', repayment.scaledAfter.toFixed()], ['numeric', repayment.principalAfter.toFixed()],
            ['numeric', repayment.scaledPaid.toFixed()], ['numeric', repayment.principalPaid.toFixed()],
            ['text', posting.description ?? null], ['jsonb', JSON.stringify(posting.metadata)], ...postingArgs(posting.entries),
            ['bigint', keyId], ['int', statusCode], ['text', response],
          ]),
      };
    });
  }
}
