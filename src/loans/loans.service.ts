import { Injectable } from '@nestjs/common';
import { Tier, laneRates } from '../markets/tier-lanes.js';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { loanOutstanding } from '../holdings/loan-outstanding.js';
import { recordChange } from '../holdings/holding-rows.js';
import { AssetInfo, findAsset } from '../common/money/assets.js';
import { notFound } from '../common/errors/domain-error.js';
import { isUuid } from '../common/http/uuid.js';
import { Caller } from '../common/auth/caller.js';
import { AccountsService, OwnedAccount } from '../accounts/accounts.service.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { MarketState, liveAt } from '../markets/market-state.js';
import { scaledDebt } from '../markets/index-math.js';
import { insufficientLiquidity } from '../common/errors/catalogue.js';
import { AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { showRate } from '../calc/compounding.js';
import { ltvLimitExceeded } from '../holdings/ltv-errors.js';
import { LoanRow, Repayment, plannedRepayment, repaymentPosting } from './repayment.js';
import { priceUnavailable } from '../common/errors/catalogue.js';

export interface LoanView {
  id: string;
  asset: string;
  principal: string;
  outstanding: string;
  borrowApr: string;
}

/** How a loan is shown, wherever it is shown. */
export function loanView(
  loan: { id: string; asset: string; principal: Decimal; outstanding: Decimal },
  decimals: number,
  borrowApr: Decimal,
): LoanView {
  return {
    id: loan.id,
    asset: loan.asset,
    principal: loan.principal.toFixed(decimals),
    outstanding: loan.outstanding.toFixed(decimals),
    borrowApr: showRate(borrowApr),
  };
}

/** A loan row as it is shown in the lane of the account's tier, at `now`. */
export function loanViewAt(row: LoanRow, market: MarketState, now: Date, tier: Tier): LoanView {
  const live = liveAt(market, now);
  const outstanding = loanOutstanding(dec(row.scaled_debt), live.lanes[tier].borrowIndex, market.decimals);
  return loanView({ id: row.id, asset: row.asset, principal: dec(row.principal), outstanding }, market.decimals, laneRates(live.today, tier).borrowApr);
}

/**
 * Nexo-style credit lines over Backpack-style lent collateral: borrow one asset against the
 * account's positions (locked ones count), within the account's blended max LTV and the
 * market's cash; repay part or all at any time with funds from outside the platform.
 */
@Injectable()
export class LoansService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly ledger: LedgerService,
    private readonly accrual: AccrualService,
    private readonly markets: MarketsRepository,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async borrow(tx: Tx, account: OwnedAccount, asset: AssetInfo, amount: Decimal): Promise<{ loan: LoanView }> {
    AccountsService.requireKyc(account);
    const tier = await this.snapshots.lockAccount(tx, account.id);
    const { market, now } = await this.accrual.lockMarketAt(tx, asset.code, await this.clock.now(tx));
    const snapshot = await this.snapshots.take(tx, account.id, now);
    if (!snapshot.prices.has(asset.code)) {
      throw priceUnavailable(asset.code);
    }
    const after = this.snapshots.value(snapshot, snapshot.positions, [...snapshot.loans, { asset: asset.code, outstanding: amount }]);
    const limit = after.levels?.maxLtv ?? ZERO;
    if (!after.ltv || after.ltv.gt(limit) || after.collateralValue.isZero()) throw ltvLimitExceeded(limit, after.ltv, 'borrowing this');
    const cash = await this.ledger.balance(tx, chart.marketCash(asset.code));
    if (cash.lt(amount)) throw insufficientLiquidity(asset.code, cash, amount, asset.decimals);

    const borrowIndex = liveAt(market, now).lanes[tier].borrowIndex;
    const scaled = scaledDebt(amount, borrowIndex);
    const [row] = await tx.$queryRaw<LoanRow[]>`
      INSERT INTO loans (id, account_id, asset, scaled_debt, principal, borrowed, opened_at, updated_at)
      VALUES (gen_random_uuid(), ${account.id}::uuid, ${asset.code}, ${scaled.toFixed()}::numeric, ${amount.toFixed()}::numeric,
              ${amount.toFixed()}::numeric, ${now}, ${now})
      RETURNING id, account_id, asset, scaled_debt::text, principal::text`;
    await recordChange(tx, 'loan', { id: row.id, scaledAfter: scaled, kind: 'borrow', tier }, now);
    await this.markets.addToTotals(tx, now, [{ asset: asset.code, tier, borrowScaled: scaled, borrowPrincipal: amount }]);
    await this.ledger.post(tx, {
      type: 'borrow',
      at: now,
      accountId: account.id,
      description: `${amount.toFixed(asset.decimals)} ${asset.code} borrowed, paid out to the external wallet`,
      metadata: { asset: asset.code, amount: amount.toFixed(asset.decimals), loanId: row.id, paidTo: 'external wallet' },
      entries: [
        { account: chart.debt(account.id, asset.code), amount },
        { account: chart.marketCash(asset.code), amount: amount.negated() },
      ],
    });
    return { loan: this.view(row, market, now, tier) };
  }

  /** Repayments arrive from outside the platform, like deposits. `all` repays what is outstanding. */
  async repay(tx: Tx, caller: Caller, loanId: string, rawAmount: 'all' | Decimal): Promise<{ loan: LoanView }> {
    const owner = await this.loanOwner(tx, caller, loanId);
    const tier = await this.snapshots.lockAccount(tx, owner.accountId);
    const { market, now } = await this.accrual.lockMarketAt(tx, owner.asset, await this.clock.now(tx));
    const [row] = await tx.$queryRaw<LoanRow[]>`
      SELECT id, account_id, asset, scaled_debt::text, principal::text FROM loans WHERE id = ${loanId}::uuid FOR UPDATE`;
    const borrowIndex = liveAt(market, now).lanes[tier].borrowIndex;
    const { amount, repayment } = plannedRepayment(loanId, row, market.decimals, borrowIndex, rawAmount);
    await this.applyRepayment(tx, row, repayment, { at: now, kind: 'repayment', tier });
    await this.ledger.post(tx, repaymentPosting(loanId, row, market.decimals, amount, repayment, now));
    const [updated] = await tx.$queryRaw<LoanRow[]>`
      SELECT id, account_id, asset, scaled_debt::text, principal::text FROM loans WHERE id = ${loanId}::uuid`;
    return { loan: this.view(updated, market, now, tier) };
  }

  /** Writes a repayment's effect on the loan row and the market's totals; the ledger is the caller's. */
  private async applyRepayment(tx: Tx, row: LoanRow, repayment: Repayment, { at, kind, tier }: { at: Date; kind: string; tier: Tier }): Promise<void> {
    await tx.$executeRaw`
      UPDATE loans SET scaled_debt = ${repayment.scaledAfter.toFixed()}::numeric, principal = ${repayment.principalAfter.toFixed()}::numeric,
        updated_at = ${at} WHERE id = ${row.id}::uuid`;
    await recordChange(tx, 'loan', { id: row.id, scaledAfter: repayment.scaledAfter, kind, tier }, at);
    await this.markets.addToTotals(tx, at, [{ asset: row.asset, tier, borrowScaled: repayment.scaledPaid.negated(), borrowPrincipal: repayment.principalPaid.negated() }]);
  }

  view(row: LoanRow, market: MarketState, now: Date, tier: Tier): LoanView {
    return loanViewAt(row, market, now, tier);
  }

  /** The asset of a loan the caller may see (404 otherwise), to check an amount's decimals. */
  async assetOfLoan(caller: Caller, loanId: string): Promise<AssetInfo> {
    const owner = await this.loanOwner(this.prisma, caller, loanId);
    return findAsset(owner.asset)!;
  }

  private async loanOwner(tx: Tx, caller: Caller, loanId: string): Promise<{ accountId: string; asset: string }> {
    if (!isUuid(loanId)) throw notFound('Loan');
    const [loan] = await tx.$queryRaw<{ account_id: string; asset: string; user_id: string }[]>`
      SELECT l.account_id, l.asset, a.user_id FROM loans l JOIN accounts a ON a.id = l.account_id WHERE l.id = ${loanId}::uuid`;
    if (!loan || (caller.kind === 'user' && caller.userId !== loan.user_id)) throw notFound('Loan');
    return { accountId: loan.account_id, asset: loan.asset };
  }
}

