import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { Decimal } from '../common/money/decimal.js';
import { AssetInfo } from '../common/money/assets.js';
import type { CommandResult, IdempotentRequest } from '../common/idempotency/idempotency.service.js';
import { AccountsService } from '../accounts/accounts.service.js';
import { postingArgs } from '../ledger/posting-args.js';
import { laneOfDayAt } from '../markets/market-state.js';
import { scaledSupply } from '../markets/index-math.js';
import { FALL_BACK, msIntoDay, runMovement } from '../holdings/movement-statements.js';
import { SqlValue, sqlCall } from '../common/sql/sql-call.js';
import { positionAmount, positionView } from '../holdings/positions.js';
import { depositPosting, maturityAfterDeposit, withdrawalOf, withdrawalPosting } from './movement-rules.js';

/**
 * Deposits and withdrawals through the money_deposit / money_withdraw SQL functions, two round
 * trips each (holdings/movement-statements.ts says why and when it falls back). The arithmetic
 * is DepositsService's, line for line, from the same rules (movement-rules.ts); the SQL writes
 * what that service's statements write. Undefined: run DepositsService instead.
 */
@Injectable()
export class DepositStatements {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
  ) {}

  deposit(request: IdempotentRequest, accountId: string, asset: AssetInfo, amount: Decimal, network: string): Promise<CommandResult | undefined> {
    return runMovement(this.prisma.movementPool, request, this.target(accountId, asset, false), (state) => {
      AccountsService.requireKyc(state);
      const { now, tier } = state;
      const supplyIndex = laneOfDayAt(state.lane, tier, now).supplyIndex;
      const scaled = scaledSupply(amount, supplyIndex);
      const maturesAt = maturityAfterDeposit(state.position, now, state);
      const scaledAfter = state.position ? state.position.scaled.plus(scaled) : scaled;
      const principalAfter = state.position ? state.position.principal.plus(amount) : amount;
      const posting = depositPosting(accountId, asset, amount, network, now);
      const value = positionAmount(scaledAfter, supplyIndex, asset.decimals);
      return {
        statusCode: 201,
        body: { position: positionView({ asset: asset.code, amount: value, principal: principalAfter, maturesAt }, asset.decimals, now) },
        // The response was computed from the row as it was locked: money_deposit refuses the
        // movement unless the row as written agrees (after this message nothing can be rolled back).
        call: (keyId, statusCode, response) =>
          sqlCall('money_deposit', [
            ['uuid', accountId], ['text', asset.code], ['text', tier], ['timestamptz', now], ['bigint', msIntoDay(now)],
            ['numeric', scaled.toFixed()], ['numeric', amount.toFixed()], ['timestamptz', maturesAt],
            ['text', posting.description ?? null], ['jsonb', JSON.stringify(posting.metadata)], ...postingArgs(posting.entries),
            ['bigint', keyId], ['int', statusCode], ['text', response],
            ...expected(scaledAfter, principalAfter),
          ]),
      };
    });
  }

  /** The matured position, whole or part; an account with loans, or a market short of cash, takes DepositsService. */
  withdraw(request: IdempotentRequest, accountId: string, asset: AssetInfo, requested: Decimal | undefined): Promise<CommandResult | undefined> {
    return runMovement(this.prisma.movementPool, request, this.target(accountId, asset, true), (state) => {
      const { now, tier } = state;
      const supplyIndex = laneOfDayAt(state.lane, tier, now).supplyIndex;
      const withdrawal = withdrawalOf(asset, state.position, supplyIndex, now, requested, state);
      const { scaled, principal, payout } = withdrawal;
      const cover = state.cover!;
      if (cover.hasLoans || cover.cash.lt(payout)) return FALL_BACK;
      const position = state.position!;
      const posting = withdrawalPosting(accountId, asset, withdrawal, now);
      const scaledAfter = position.scaled.minus(scaled);
      const principalAfter = position.principal.minus(principal);
      return {
        statusCode: 201,
        body: { asset: asset.code, amount: payout.toFixed(asset.decimals) },
        // The position was locked as read: what is left must be what was computed (0 when
        // whole); money_withdraw refuses the movement otherwise.
        call: (keyId, statusCode, response) =>
          sqlCall('money_withdraw', [
            ['uuid', accountId], ['uuid', position.id], ['text', asset.code], ['text', tier], ['timestamptz', now], ['bigint', msIntoDay(now)],
            ['numeric', scaled.toFixed()], ['numeric', principal.toFixed()],
            ['text', posting.description ?? null], ['jsonb', JSON.stringify(posting.metadata)], ...postingArgs(posting.entries),
            ['bigint', keyId], ['int', statusCode], ['text', response],
            ...expected(scaledAfter, principalAfter),
          ]),
      };
    });
  }

  /** The position's movement; `cover`: a withdrawal's, which reads the market's cash and the account's loans. */
  private target(accountId: string, asset: AssetInfo, cover: boolean) {
    return { accountId, asset: asset.code, cover, realtime: this.clock.mode === 'realtime' };
  }
}

/** The position as its movement must leave it: money_deposit / money_withdraw compare it (as numerics) with the row as written. */
function expected(scaled: Decimal, principal: Decimal): [type: string, value: SqlValue][] {
  return [['numeric', scaled.toFixed()], ['numeric', principal.toFixed()]];
}
