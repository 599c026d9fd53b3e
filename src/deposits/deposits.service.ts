import { Injectable } from '@nestjs/common';
import { Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { MS_PER_DAY } from '../clock/dates.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { OverdraftError } from '../ledger/ledger.types.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { recordChange } from '../holdings/holding-rows.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { AssetInfo } from '../common/money/assets.js';
import { DomainError } from '../common/errors/domain-error.js';
import { AccountsService, OwnedAccount } from '../accounts/accounts.service.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { liveAt } from '../markets/market-state.js';
import { scaledSupply } from '../markets/index-math.js';
import { SettingsService } from '../settings/settings.service.js';
import { AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { ltvLimitExceeded } from '../holdings/ltv-errors.js';
import { PositionRow, PositionView, positionAmount, positionView } from '../holdings/positions.js';

export const insufficientLiquidity = (asset: string, available: Decimal, needed: Decimal, decimals: number) =>
  new DomainError(409, 'INSUFFICIENT_LIQUIDITY', `The ${asset} market holds ${available.toFixed(decimals)} in cash; ${needed.toFixed(decimals)} is needed`, {
    asset,
    available: available.toFixed(decimals),
    needed: needed.toFixed(decimals),
  });

/**
 * Deposits are lent at once (no switch to turn lending off) and withdrawals pay the whole
 * position after maturity (shared/reference/product-rules.md, section 2). Every movement runs
 * under the market's row lock, after the market's accrual is up to date.
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
    const { lendingPeriodDays } = await this.settings.get(tx);
    // A top-up moves the maturity of the whole position, old funds and new.
    const maturesAt = new Date(now.getTime() + lendingPeriodDays * MS_PER_DAY);
    const [row] = await tx.$queryRaw<PositionRow[]>`
      INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
      VALUES (gen_random_uuid(), ${account.id}::uuid, ${asset.code}, ${scaled.toFixed()}::numeric, ${amount.toFixed()}::numeric,
              ${maturesAt}, ${now}, ${now})
      ON CONFLICT (account_id, asset) DO UPDATE SET
        scaled = positions.scaled + EXCLUDED.scaled,
        principal = positions.principal + EXCLUDED.principal,
        matures_at = EXCLUDED.matures_at,
        opened_at = CASE WHEN positions.scaled = 0 THEN EXCLUDED.opened_at ELSE positions.opened_at END,
        updated_at = EXCLUDED.updated_at
      RETURNING id, account_id, asset, scaled::text, principal::text, matures_at`;
    await recordChange(tx, 'position', { id: row.id, scaledAfter: dec(row.scaled), kind: 'deposit', tier }, now);
    await this.markets.addToTotals(tx, now, [{ asset: asset.code, tier, supplyScaled: scaled, supplyPrincipal: amount }]);
    await this.ledger.post(tx, {
      type: 'deposit',
      at: now,
      accountId: account.id,
      description: `${amount.toFixed()} ${asset.code} deposited on ${network} and lent`,
      metadata: { asset: asset.code, amount: amount.toFixed(asset.decimals), network },
      entries: [
        { account: chart.marketCash(asset.code), amount },
        { account: chart.position(account.id, asset.code), amount: amount.negated() },
      ],
    });
    const value = positionAmount(dec(row.scaled), supplyIndex, asset.decimals);
    return {
      position: positionView({ asset: row.asset, amount: value, principal: dec(row.principal), maturesAt: row.matures_at }, asset.decimals, now),
    };
  }

  /**
   * Pays out the whole position with its interest: refused before maturity, refused for part
   * of it, refused when the account's loans need it, refused when the market lacks the cash.
   */
  async withdraw(tx: Tx, account: OwnedAccount, asset: AssetInfo, requested: Decimal | undefined): Promise<{ asset: string; amount: string }> {
    const tier = await this.snapshots.lockAccount(tx, account.id);
    const { market, now } = await this.accrual.lockMarketAt(tx, asset.code, await this.clock.now(tx));
    const live = liveAt(market, now);
    const supplyIndex = live.lanes[tier].supplyIndex;
    const [row] = await tx.$queryRaw<PositionRow[]>`
      SELECT id, account_id, asset, scaled::text, principal::text, matures_at FROM positions
      WHERE account_id = ${account.id}::uuid AND asset = ${asset.code} FOR UPDATE`;
    if (!row || dec(row.scaled).isZero()) {
      throw new DomainError(404, 'NO_POSITION', `This account has no ${asset.code} position`, { asset: asset.code });
    }
    if (row.matures_at.getTime() > now.getTime()) {
      throw new DomainError(409, 'POSITION_LOCKED', `The ${asset.code} position is locked until ${row.matures_at.toISOString()}`, {
        asset: asset.code,
        maturesAt: row.matures_at.toISOString(),
      });
    }
    const scaled = dec(row.scaled);
    const exact = scaled.times(supplyIndex);
    const payout = positionAmount(scaled, supplyIndex, asset.decimals);
    if (requested !== undefined && !requested.eq(payout)) {
      throw new DomainError(
        422,
        'PARTIAL_WITHDRAWAL_NOT_ALLOWED',
        `Only the whole position can be withdrawn: ${payout.toFixed(asset.decimals)} ${asset.code}`,
        { asset: asset.code, requested: requested.toFixed(), wholePosition: payout.toFixed(asset.decimals) },
      );
    }
    await this.assertLoansStayCovered(tx, account.id, asset.code, now);
    let cash = await this.ledger.balance(tx, chart.marketCash(asset.code));
    // Short of cash: first what the platform owes the market (suppliers' interest since 00:00 that
    // no borrower pays); what is still missing is lent out.
    if (cash.lt(payout)) cash = cash.plus(await this.accrual.coverSuppliers(tx, market, live.exactSupplied, live.exactBorrowed, now));
    if (cash.lt(payout)) throw insufficientLiquidity(asset.code, cash, payout, asset.decimals);

    const principal = dec(row.principal);
    // The fraction below the asset's unit stays with the platform: booked, never lost.
    const residue = roundOwedByUser(exact, asset.decimals).minus(payout);
    const entries = [
      { account: chart.position(account.id, asset.code), amount: principal },
      { account: chart.interestPayable(asset.code), amount: payout.minus(principal).plus(residue) },
      { account: chart.marketCash(asset.code), amount: payout.negated() },
      { account: chart.rounding(asset.code), amount: residue.negated() },
    ].filter((entry) => !entry.amount.isZero());
    try {
      await this.ledger.post(tx, {
        type: 'withdrawal',
        at: now,
        accountId: account.id,
        description: `${payout.toFixed(asset.decimals)} ${asset.code} withdrawn (the whole position)`,
        metadata: {
          asset: asset.code,
          amount: payout.toFixed(asset.decimals),
          principal: principal.toFixed(asset.decimals),
          interest: payout.minus(principal).toFixed(asset.decimals),
        },
        entries,
      });
    } catch (error) {
      if (error instanceof OverdraftError && error.account.kind === 'market_cash') {
        throw insufficientLiquidity(asset.code, cash, payout, asset.decimals);
      }
      throw error;
    }
    await tx.$executeRaw`UPDATE positions SET scaled = 0, principal = 0, updated_at = ${now} WHERE id = ${row.id}::uuid`;
    await recordChange(tx, 'position', { id: row.id, scaledAfter: ZERO, kind: 'withdrawal', tier }, now);
    await this.markets.addToTotals(tx, now, [{ asset: asset.code, tier, supplyScaled: scaled.negated(), supplyPrincipal: principal.negated() }]);
    return { asset: asset.code, amount: payout.toFixed(asset.decimals) };
  }

  /** Collateral may leave only while the account's loans stay within its max LTV without it. */
  private async assertLoansStayCovered(tx: Tx, accountId: string, asset: string, now: Date): Promise<void> {
    const snapshot = await this.snapshots.take(tx, accountId, now);
    if (snapshot.loans.length === 0) return;
    const after = this.snapshots.value(snapshot, snapshot.positions.filter((p) => p.asset !== asset), snapshot.loans);
    const limit = after.levels?.maxLtv ?? dec(0);
    if (!after.ltv || after.ltv.gt(limit)) throw ltvLimitExceeded(limit, after.ltv, 'withdrawing this position');
  }
}
