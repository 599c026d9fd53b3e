import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { utcDateString } from '../clock/dates.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { EntryInput, PostingInput } from '../ledger/ledger.types.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { showRate } from '../calc/compounding.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { SCALED_DECIMALS } from '../markets/index-math.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { SettingsService } from '../settings/settings.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { LoansService, LoanRow, TotalsChange } from '../loans/loans.service.js';
import { AccountSnapshot, AccountSnapshotService } from './account-snapshot.service.js';
import { planLiquidation, Sale } from './liquidation-plan.js';
import { AccountStatus } from './valuation.js';

/** What a liquidation writes to rows every account of a market shares: deferred to its end. */
interface SharedWrites {
  totals: TotalsChange[];
  postings: PostingInput[];
}

export interface ReviewOutcome {
  accountId: string;
  statusBefore: AccountStatus;
  statusAfter: AccountStatus;
  marginCall: boolean;
  liquidated: boolean;
  badDebt: string | null;
}

/**
 * Looks at one account under its row lock and does what its LTV calls for: a margin call once
 * per crossing of the margin-call level, and at the liquidation level a liquidation down to
 * the target (planLiquidation). Everything happens in one database transaction: a worker
 * killed half-way leaves nothing half-done, and a second worker on the same account finds it
 * already back under its levels.
 */
@Injectable()
export class LiquidationService {
  private readonly logger = new Logger('risk');

  constructor(
    private readonly prisma: PrismaService,
    private readonly clock: ClockService,
    private readonly ledger: LedgerService,
    private readonly accrual: AccrualService,
    private readonly markets: MarketsRepository,
    private readonly settings: SettingsService,
    private readonly notifications: NotificationsService,
    private readonly loans: LoansService,
    private readonly snapshots: AccountSnapshotService,
  ) {}

  async review(accountId: string): Promise<ReviewOutcome> {
    const now = await this.clock.now();
    const today = utcDateString(now);
    // Markets behind the clock are brought up to date first, each in its own short transaction,
    // so that reviews that only look (most of them) never lock a market.
    for (const market of await this.markets.readAll()) {
      if (market.indexDay < today) await this.accrual.accrueThrough(market.asset, today);
    }
    return this.prisma.$transaction(async (tx) => {
      await this.snapshots.lockAccount(tx, accountId);
      let snapshot = await this.snapshots.take(tx, accountId, now);
      const before = snapshot.valuation;
      const [risk] = await tx.$queryRaw<{ status: string; crossings: number }[]>`
        INSERT INTO account_risk (account_id, status, crossings, updated_at) VALUES (${accountId}::uuid, 'healthy', 0, ${now})
        ON CONFLICT (account_id) DO UPDATE SET updated_at = EXCLUDED.updated_at
        RETURNING status, crossings`;
      let crossings = risk.crossings;
      let marginCall = false;
      if (before.status !== 'healthy' && risk.status === 'healthy') {
        crossings += 1;
        marginCall = await this.sendMarginCall(tx, snapshot, crossings);
      }
      let liquidated = false;
      let badDebt: Decimal | null = null;
      if (before.status === 'liquidating') {
        const outcome = await this.liquidate(tx, snapshot, today);
        badDebt = outcome.badDebt;
        liquidated = true;
        snapshot = outcome.after;
      }
      const after = snapshot.valuation.status;
      await tx.$executeRaw`
        UPDATE account_risk SET status = ${after}, crossings = ${crossings}, updated_at = ${now} WHERE account_id = ${accountId}::uuid`;
      return { accountId, statusBefore: before.status, statusAfter: after, marginCall, liquidated, badDebt: badDebt?.toFixed() ?? null };
    });
  }

  /**
   * The shared writes, last: the markets locked in code order (as every movement locks them),
   * checked to be on the day the sale was priced at, then their totals and the ledger.
   */
  private async writeShared(tx: Tx, snapshot: AccountSnapshot, shared: SharedWrites, today: string): Promise<void> {
    const assets = [...new Set([...shared.totals.map((t) => t.asset), ...shared.postings.flatMap((p) => p.entries.map((e) => e.account.asset))])].sort();
    for (const asset of assets) {
      const market = await this.accrual.bringMarketTo(tx, asset, today);
      if (market.indexDay !== snapshot.markets.get(asset)!.indexDay) {
        // A day closed since the account was valued: give up; the job runs again and values it afresh.
        throw new Error(`market ${asset} moved to ${market.indexDay} during a liquidation; retrying`);
      }
    }
    const byAsset = new Map<string, { supplyScaled: Decimal; supplyPrincipal: Decimal; borrowScaled: Decimal; borrowPrincipal: Decimal }>();
    for (const change of shared.totals) {
      const sum = byAsset.get(change.asset) ?? { supplyScaled: ZERO, supplyPrincipal: ZERO, borrowScaled: ZERO, borrowPrincipal: ZERO };
      byAsset.set(change.asset, {
        supplyScaled: sum.supplyScaled.plus(change.supplyScaled ?? ZERO),
        supplyPrincipal: sum.supplyPrincipal.plus(change.supplyPrincipal ?? ZERO),
        borrowScaled: sum.borrowScaled.plus(change.borrowScaled ?? ZERO),
        borrowPrincipal: sum.borrowPrincipal.plus(change.borrowPrincipal ?? ZERO),
      });
    }
    for (const [asset, sum] of [...byAsset].sort(([a], [b]) => a.localeCompare(b))) {
      await this.markets.addToTotals(tx, asset, {
        tier: snapshot.tier,
        supplyScaled: sum.supplyScaled.toFixed(),
        supplyPrincipal: sum.supplyPrincipal.toFixed(),
        borrowScaled: sum.borrowScaled.toFixed(),
        borrowPrincipal: sum.borrowPrincipal.toFixed(),
      });
    }
    for (const posting of shared.postings) await this.ledger.post(tx, posting);
  }

  /** How far the account is from safety: the debt to repay, or the collateral value to add. */
  private async sendMarginCall(tx: Tx, snapshot: AccountSnapshot, crossing: number): Promise<boolean> {
    const { valuation } = snapshot;
    const target = valuation.levels?.marginCallLtv ?? ZERO;
    const repay = Decimal.max(valuation.debtValue.minus(target.times(valuation.collateralValue)), ZERO);
    const add = target.isZero() ? null : Decimal.max(valuation.debtValue.div(target).minus(valuation.collateralValue), ZERO);
    return this.notifications.notify(tx, {
      accountId: snapshot.accountId,
      type: 'margin_call',
      at: snapshot.now,
      dedupeKey: `margin_call:${snapshot.accountId}:${crossing}`,
      data: {
        ltv: valuation.ltv ? showRate(valuation.ltv) : null,
        maxLtv: valuation.levels ? showRate(valuation.levels.maxLtv) : null,
        marginCallLtv: showRate(target),
        liquidationLtv: valuation.levels ? showRate(valuation.levels.liquidationLtv) : null,
        collateralValue: valuation.collateralValue.toFixed(),
        debtValue: valuation.debtValue.toFixed(),
        repayToRecover: repay.toFixed(2),
        addCollateralToRecover: add?.toFixed(2) ?? null,
        currency: 'USD',
      },
    });
  }

  /**
   * Sells collateral and repays debt as planned; books bad debt if collateral ran out. Returns
   * it (USD) and the account after. The account's own rows are written first (the account lock
   * guards them); what is shared by every account of a market (its totals, the platform's
   * ledger accounts) is written last, under the market locks, so that liquidations of many
   * accounts hold those locks only for their final statements.
   */
  private async liquidate(tx: Tx, snapshot: AccountSnapshot, today: string): Promise<{ badDebt: Decimal; after: AccountSnapshot }> {
    const shared: SharedWrites = { totals: [], postings: [] };
    const { liquidationFee } = await this.settings.get(tx);
    const collateral = snapshot.positions.map((p) => ({
      asset: p.asset,
      amount: p.amount,
      price: snapshot.prices.get(p.asset),
      decimals: snapshot.markets.get(p.asset)!.decimals,
      levels: snapshot.markets.get(p.asset)!.risk,
    }));
    const plan = planLiquidation(snapshot.valuation.debtValue, collateral, liquidationFee);
    const loanRows = await this.loans.loansOf(tx, snapshot.accountId);
    const steps: object[] = [];
    for (const sale of plan.sales) steps.push(await this.executeSale(tx, snapshot, sale, loanRows, shared));
    // With every unit of collateral sold, whatever debt remains (bad debt, or a unit of rounding
    // dust) is written off: the account ends with no debt.
    const badDebtValue = plan.soldEverything ? await this.writeOff(tx, snapshot, loanRows, shared) : ZERO;
    const after = await this.snapshots.take(tx, snapshot.accountId, snapshot.now);
    await this.writeShared(tx, snapshot, shared, today);
    await this.notifications.notify(tx, {
      accountId: snapshot.accountId,
      type: 'liquidation',
      at: snapshot.now,
      data: {
        ltvBefore: snapshot.valuation.ltv ? showRate(snapshot.valuation.ltv) : null,
        ltvAfter: after.valuation.ltv ? showRate(after.valuation.ltv) : null,
        target: snapshot.valuation.levels ? showRate(snapshot.valuation.levels.marginCallLtv) : null,
        liquidationFee: liquidationFee.toFixed(),
        steps,
        badDebt: badDebtValue.toFixed(),
        currency: 'USD',
      },
    });
    this.logger.log(`liquidated ${snapshot.accountId}: ${plan.sales.length} sale(s), bad debt ${badDebtValue.toFixed()}`);
    return { badDebt: badDebtValue, after };
  }

  /**
   * One sale, one ledger transaction: the customer's position gives up `units` (interest
   * first, then principal), the platform keeps the fee in the sold asset, its liquidation desk
   * takes the rest, and the proceeds arrive in the debt asset's market as repayments of the
   * account's loans, largest first (the market's cash is refilled as by any repayment).
   */
  private async executeSale(tx: Tx, snapshot: AccountSnapshot, sale: Sale, loanRows: LoanRow[], shared: SharedWrites): Promise<object> {
    const market = snapshot.markets.get(sale.asset)!;
    const position = snapshot.positions.find((p) => p.asset === sale.asset)!;
    const supplyIndex = snapshot.lane(sale.asset).supplyIndex;
    const interest = Decimal.max(position.amount.minus(position.principal), ZERO);
    const interestUsed = Decimal.min(sale.units, interest);
    const principalUsed = sale.soldAll ? position.principal : sale.units.minus(interestUsed);
    const scaledRemoved = sale.soldAll
      ? position.scaled
      : Decimal.min(sale.units.div(supplyIndex).toDecimalPlaces(SCALED_DECIMALS, Decimal.ROUND_UP), position.scaled);
    // Selling the whole position leaves its sub-unit fraction with the platform, as a withdrawal does.
    const residue = sale.soldAll ? roundOwedByUser(position.scaled.times(supplyIndex), market.decimals).minus(position.amount) : ZERO;
    const feeUnits = sale.fee.div(sale.price).toDecimalPlaces(market.decimals, Decimal.ROUND_DOWN);
    const entries: EntryInput[] = [
      { account: chart.position(snapshot.accountId, sale.asset), amount: principalUsed },
      { account: chart.interestPayable(sale.asset), amount: sale.units.minus(principalUsed).plus(residue) },
      { account: chart.rounding(sale.asset), amount: residue.negated() },
      { account: chart.liquidationFees(sale.asset), amount: feeUnits.negated() },
      { account: chart.liquidationDesk(sale.asset), amount: sale.units.minus(feeUnits).negated() },
    ];
    const repaid = await this.repayFromDesk(tx, snapshot, sale.repaid, loanRows, entries, shared);
    await tx.$executeRaw`
      UPDATE positions SET scaled = scaled - ${scaledRemoved.toFixed()}::numeric, principal = principal - ${principalUsed.toFixed()}::numeric,
        updated_at = ${snapshot.now} WHERE id = ${position.id}::uuid`;
    await tx.$executeRaw`
      INSERT INTO position_changes (position_id, at, kind, scaled_after, tier)
      VALUES (${position.id}::uuid, ${snapshot.now}, 'liquidation', ${position.scaled.minus(scaledRemoved).toFixed()}::numeric, ${snapshot.tier})`;
    shared.totals.push({ asset: sale.asset, tier: snapshot.tier, supplyScaled: scaledRemoved.negated(), supplyPrincipal: principalUsed.negated() });
    const step = {
      sold: { asset: sale.asset, units: sale.units.toFixed(market.decimals), price: sale.price.toFixed(), value: sale.proceeds.toFixed() },
      fee: { asset: sale.asset, units: feeUnits.toFixed(market.decimals), value: sale.fee.toFixed() },
      repaid,
    };
    shared.postings.push({
      type: 'liquidation',
      at: snapshot.now,
      accountId: snapshot.accountId,
      description: `Liquidation: ${sale.units.toFixed(market.decimals)} ${sale.asset} sold at ${sale.price.toFixed()}`,
      metadata: { asset: sale.asset, amount: sale.units.toFixed(market.decimals), ...step },
      entries: entries.filter((e) => !e.amount.isZero()),
    });
    return step;
  }

  /** Pays `value` (USD) of debt into the loans' markets, largest loan first; appends the entries; returns what each loan got. */
  private async repayFromDesk(tx: Tx, snapshot: AccountSnapshot, value: Decimal, loanRows: LoanRow[], entries: EntryInput[], shared: SharedWrites) {
    const repaid: { loanId: string; asset: string; units: string }[] = [];
    let left = value;
    // A loan in an asset without a price cannot be valued, so it cannot be repaid from a sale.
    const byValue = snapshot.loans
      .filter((loan) => snapshot.prices.has(loan.asset))
      .sort((a, b) => b.outstanding.times(snapshot.prices.get(b.asset)!).comparedTo(a.outstanding.times(snapshot.prices.get(a.asset)!)));
    for (const loan of byValue) {
      if (left.lte(0)) break;
      const row = loanRows.find((r) => r.id === loan.id)!;
      const market = snapshot.markets.get(loan.asset)!;
      const price = snapshot.prices.get(loan.asset)!;
      const borrowIndex = snapshot.lane(loan.asset).borrowIndex;
      const current = roundOwedByUser(dec(row.scaled_debt).times(borrowIndex), market.decimals);
      if (current.isZero()) continue;
      // What the user is credited rounds down: the platform's way.
      const units = Decimal.min(left.div(price).toDecimalPlaces(market.decimals, Decimal.ROUND_DOWN), current);
      if (units.isZero()) break;
      const repayment = this.loans.repayment(row, market, borrowIndex, units);
      entries.push({ account: chart.marketCash(loan.asset), amount: units }, ...repayment.entries);
      shared.totals.push(await this.loans.applyRepayment(tx, row, repayment, { at: snapshot.now, kind: 'liquidation', tier: snapshot.tier, applyTotals: false }));
      row.scaled_debt = repayment.scaledAfter.toFixed();
      row.principal = repayment.principalAfter.toFixed();
      left = left.minus(units.times(price));
      repaid.push({ loanId: loan.id, asset: loan.asset, units: units.toFixed(market.decimals) });
    }
    return repaid;
  }

  /**
   * Collateral is gone and debt remains: the platform repays it into the market from its own
   * funds and books the loss, so lenders' claims stay whole and the market's cash with them.
   */
  private async writeOff(tx: Tx, snapshot: AccountSnapshot, loanRows: LoanRow[], shared: SharedWrites): Promise<Decimal> {
    const entries: EntryInput[] = [];
    const written: object[] = [];
    let value = ZERO;
    for (const row of loanRows) {
      const market = snapshot.markets.get(row.asset)!;
      const borrowIndex = snapshot.lane(row.asset).borrowIndex;
      const outstanding = roundOwedByUser(dec(row.scaled_debt).times(borrowIndex), market.decimals);
      if (outstanding.isZero()) continue;
      const repayment = this.loans.repayment(row, market, borrowIndex, outstanding);
      entries.push(
        { account: chart.badDebt(row.asset), amount: outstanding },
        { account: chart.platformFunds(row.asset), amount: outstanding.negated() },
        { account: chart.marketCash(row.asset), amount: outstanding },
        ...repayment.entries,
      );
      shared.totals.push(await this.loans.applyRepayment(tx, row, repayment, { at: snapshot.now, kind: 'bad_debt', tier: snapshot.tier, applyTotals: false }));
      value = value.plus(outstanding.times(snapshot.prices.get(row.asset) ?? ZERO));
      written.push({ loanId: row.id, asset: row.asset, units: outstanding.toFixed(market.decimals) });
    }
    if (entries.length) {
      shared.postings.push({
        type: 'bad_debt',
        at: snapshot.now,
        accountId: snapshot.accountId,
        description: 'Debt left after all collateral was sold, written off as the platform’s loss',
        metadata: { writtenOff: written, value: value.toFixed(), currency: 'USD' },
        entries,
      });
    }
    return value;
  }
}
