import { Injectable } from '@nestjs/common';
import { Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { postingArrays } from '../ledger/posting-args.js';
import { msIntoDay } from '../holdings/movement-statements.js';
import { depositPosting, maturityAfterDeposit, withdrawalOf, withdrawalPosting } from './movement-rules.js';
import { insufficientLiquidity } from '../common/errors/catalogue.js';
import { OverdraftError } from '../ledger/ledger.types.js';
import { Decimal, dec } from '../common/money/decimal.js';
import { recordChange } from '../holdings/holding-rows.js';
import { AssetInfo } from '../common/money/assets.js';
import { AccountsService, OwnedAccount } from '../accounts/accounts.service.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { scaledSupply } from '../markets/index-math.js';
import { SettingsService } from '../settings/settings.service.js';
import { AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { ltvLimitExceeded } from '../holdings/ltv-errors.js';
import { PositionRow, PositionView, positionAmount, positionView } from '../holdings/positions.js';

/**
 * Deposits are lent at once (no switch to turn lending off) and withdrawals pay the matured
 * position (shared/reference/product-rules.md, section 2), under the platform rules of the
 * settings (movement-rules.ts: maturity of a top-up, whole or partial withdrawals). Every
 * movement runs under the market's row lock, after the market's accrual is up to date.
 */
@Injectable()
export class DepositsService {
  constructor(
    private readonly clock: ClockService,
    private readonly ledger: LedgerService,
    private readonly accrual: AccrualService,
    private readonly markets: MarketsRepository,
    private readonly settings: SettingsService,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async deposit(tx: Tx, account: OwnedAccount, asset: AssetInfo, amount: Decimal, network: string): Promise<{ position: PositionView }> {
    AccountsService.requireKyc(account);
    // The account first, as every movement does (then markets, then rows, then the ledger):
    // a liquidation of this account never sees a position appear in a market it has not locked.
    const tier = await this.snapshots.lockAccount(tx, account.id);
    const { market, now } = await this.accrual.lockMarketAt(tx, asset.code, await this.clock.now(tx));
    const supplyIndex = liveAt(market, now).lanes[tier].supplyIndex;
    const scaled = scaledSupply(amount, supplyIndex);
    const rules = await this.settings.get(tx);
    // The position's row locked (as money_begin locks it) for its maturity, which a top-up may
    // keep, and for the row the deposit must leave (money_deposit checks it as written).
    const [held] = await tx.$queryRaw<{ scaled: string; principal: string; matures_at: Date }[]>`
      SELECT scaled::text, principal::text, matures_at FROM positions WHERE account_id = ${account.id}::uuid AND asset = ${asset.code} FOR UPDATE`;
    const maturesAt = maturityAfterDeposit(held && { scaled: dec(held.scaled), maturesAt: held.matures_at }, now, rules);
    const scaledAfter = held ? dec(held.scaled).plus(scaled) : scaled;
    const principalAfter = held ? dec(held.principal).plus(amount) : amount;
    const posting = depositPosting(account.id, asset, amount, network, now);
    // The same SQL function as the two-round-trip path (deposit-statements.ts), so both write alike.
    const [codes, assets, kinds, owners, sides, noOverdraft, amounts] = postingArrays(posting.entries);
    await tx.$queryRaw`
      SELECT money_deposit(${account.id}::uuid, ${asset.code}::text, ${tier}::text, ${now}::timestamptz, ${msIntoDay(now)}::bigint, ${scaled.toFixed()}::numeric,
        ${amount.toFixed()}::numeric, ${maturesAt}::timestamptz, ${posting.description}::text, ${JSON.stringify(posting.metadata)}::jsonb, ${codes}::text[],
        ${assets}::text[], ${kinds}::text[], ${owners}::uuid[], ${sides}::normal_side[], ${noOverdraft}::boolean[], ${amounts}::numeric[],
        NULL::bigint, NULL::int, NULL::text, ${scaledAfter.toFixed()}::numeric, ${principalAfter.toFixed()}::numeric)::text`;
    const value = positionAmount(scaledAfter, supplyIndex, asset.decimals);
    return {
      position: positionView({ asset: asset.code, amount: value, principal: principalAfter, maturesAt }, asset.decimals, now),
    };
  }

  /**
   * Pays out the whole position with its interest, or part of it when the rules allow:
   * refused before maturity, refused for part of it (or more than it), refused when the
   * account's loans need it, refused when the market lacks the cash.
   */
  async withdraw(tx: Tx, account: OwnedAccount, asset: AssetInfo, requested: Decimal | undefined): Promise<{ asset: string; amount: string }> {
    const tier = await this.snapshots.lockAccount(tx, account.id);
    const { market, now } = await this.accrual.lockMarketAt(tx, asset.code, await this.clock.now(tx));
    const live = liveAt(market, now);
    const supplyIndex = live.lanes[tier].supplyIndex;
    const [row] = await tx.$queryRaw<PositionRow[]>`
      SELECT id, account_id, asset, scaled::text, principal::text, matures_at FROM positions
      WHERE account_id = ${account.id}::uuid AND asset = ${asset.code} FOR UPDATE`;
    const position = row && { scaled: dec(row.scaled), principal: dec(row.principal), maturesAt: row.matures_at };
    const withdrawal = withdrawalOf(asset, position, supplyIndex, now, requested, await this.settings.get(tx));
    const { scaled, principal, payout } = withdrawal;
    await this.assertLoansStayCovered(tx, account.id, asset.code, scaled, now);
    let cash = await this.ledger.balance(tx, chart.marketCash(asset.code));
    // Short of cash: first what the platform owes the market (suppliers' interest since 00:00 that
    // no borrower pays); what is still missing is lent out.
    if (cash.lt(payout)) cash = cash.plus(await this.accrual.coverSuppliers(tx, market, live.exactSupplied, live.exactBorrowed, now));
    if (cash.lt(payout)) throw insufficientLiquidity(asset.code, cash, payout, asset.decimals);

    try {
      await this.ledger.post(tx, withdrawalPosting(account.id, asset, withdrawal, now));
    } catch (error) {
      if (error instanceof OverdraftError && error.account.kind === 'market_cash') {
        throw insufficientLiquidity(asset.code, cash, payout, asset.decimals);
      }
      throw error;
    }
    // All of it for a whole withdrawal: the position is left at 0, closed.
    const scaledAfter = position.scaled.minus(scaled);
    await tx.$executeRaw`UPDATE positions SET scaled = ${scaledAfter.toFixed()}::numeric, principal = ${position.principal.minus(principal).toFixed()}::numeric,
      updated_at = ${now} WHERE id = ${row.id}::uuid`;
    await recordChange(tx, 'position', { id: row.id, scaledAfter, kind: 'withdrawal', tier }, now);
    await this.markets.addToTotals(tx, now, [{ asset: asset.code, tier, supplyScaled: scaled.negated(), supplyPrincipal: principal.negated() }]);
    return { asset: asset.code, amount: payout.toFixed(asset.decimals) };
  }

  /** Collateral may leave only while the account's loans stay within its max LTV without it (or with what is left of it). */
  private async assertLoansStayCovered(tx: Tx, accountId: string, asset: string, scaledTaken: Decimal, now: Date): Promise<void> {
    const snapshot = await this.snapshots.take(tx, accountId, now);
    if (snapshot.loans.length === 0) return;
    // The position as the withdrawal leaves it (closed ones drop out), valued with the loans.
    const left = snapshot.positions.map((p) => (p.asset === asset ? { ...p, scaled: p.scaled.minus(scaledTaken) } : p));
    const after = this.snapshots.holding(snapshot, left, snapshot.loans).valuation;
    const limit = after.levels?.maxLtv ?? dec(0);
    if (!after.ltv || after.ltv.gt(limit)) throw ltvLimitExceeded(limit, after.ltv, 'withdrawing this position');
  }
}
