import { Injectable, Logger } from '@nestjs/common';
import { PrismaService, Tx } from '../prisma/prisma.service.js';
import { ClockService } from '../clock/clock.service.js';
import { utcDateString } from '../clock/dates.js';
import { LedgerService } from '../ledger/ledger.service.js';
import { chart } from '../ledger/chart.js';
import { EntryInput } from '../ledger/ledger.types.js';
import { Decimal, ZERO, dec } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { showRate } from '../calc/compounding.js';
import { AccrualService } from '../accrual/accrual.service.js';
import { SCALED_DECIMALS } from '../markets/index-math.js';
import { MarketsRepository } from '../markets/markets.repository.js';
import { SettingsService } from '../settings/settings.service.js';
import { NotificationsService } from '../notifications/notifications.service.js';
import { LoansService, LoanRow } from '../loans/loans.service.js';
import { AccountSnapshot, AccountSnapshotService } from './account-snapshot.service.js';
import { planLiquidation, Sale } from './liquidation-plan.js';
import { AccountStatus } from './valuation.js';

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
        // Selling moves money in the account's markets: lock them (by code, as every movement
        // does, after the account) and look again under the locks. The account lock keeps new
        // assets out meanwhile (deposits take it too).
        const assets = [...new Set([...snapshot.positions, ...snapshot.loans].map((h) => h.asset))].sort();
        let moved = false;
        for (const asset of assets) {
          const locked = await this.accrual.bringMarketTo(tx, asset, today);
          moved ||= locked.indexDay !== snapshot.markets.get(asset)!.indexDay;
        }
        // Only a day closing in between changes what the snapshot saw (the account is locked).
        if (moved) snapshot = await this.snapshots.take(tx, accountId, now);
        if (snapshot.valuation.status === 'liquidating') {
          const outcome = await this.liquidate(tx, snapshot);
          badDebt = outcome.badDebt;
          liquidated = true;
          snapshot = outcome.after;
        }
      }
      const after = snapshot.valuation.status;
      await tx.$executeRaw`
        UPDATE account_risk SET status = ${after}, crossings = ${crossings}, updated_at = ${now} WHERE account_id = ${accountId}::uuid`;
      return { accountId, statusBefore: before.status, statusAfter: after, marginCall, liquidated, badDebt: badDebt?.toFixed() ?? null };
    });
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

  /** Sells collateral and repays debt as planned; books bad debt if collateral ran out. Returns it (USD) and the account after. */
  private async liquidate(tx: Tx, snapshot: AccountSnapshot): Promise<{ badDebt: Decimal; after: AccountSnapshot }> {
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
    for (const sale of plan.sales) steps.push(await this.executeSale(tx, snapshot, sale, loanRows));
    // With every unit of collateral sold, whatever debt remains (bad debt, or a unit of rounding
    // dust) is written off: the account ends with no debt.
    const badDebtValue = plan.soldEverything ? await this.writeOff(tx, snapshot, loanRows) : ZERO;
    const after = await this.snapshots.take(tx, snapshot.accountId, snapshot.now);
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
  private async executeSale(tx: Tx, snapshot: AccountSnapshot, sale: Sale, loanRows: LoanRow[]): Promise<object> {
    const market = snapshot.markets.get(sale.asset)!;
    const position = snapshot.positions.find((p) => p.asset === sale.asset)!;
    const supplyIndex = snapshot.live.get(sale.asset)!.supplyIndex;
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
    const repaid = await this.repayFromDesk(tx, snapshot, sale.repaid, loanRows, entries);
    await tx.$executeRaw`
      UPDATE positions SET scaled = scaled - ${scaledRemoved.toFixed()}::numeric, principal = principal - ${principalUsed.toFixed()}::numeric,
        updated_at = ${snapshot.now} WHERE id = ${position.id}::uuid`;
    await tx.$executeRaw`
      INSERT INTO position_changes (position_id, at, kind, scaled_after)
      VALUES (${position.id}::uuid, ${snapshot.now}, 'liquidation', ${position.scaled.minus(scaledRemoved).toFixed()}::numeric)`;
    await this.markets.addToTotals(tx, sale.asset, {
      supplyScaled: scaledRemoved.negated().toFixed(),
      supplyPrincipal: principalUsed.negated().toFixed(),
    });
    const step = {
      sold: { asset: sale.asset, units: sale.units.toFixed(market.decimals), price: sale.price.toFixed(), value: sale.proceeds.toFixed() },
      fee: { asset: sale.asset, units: feeUnits.toFixed(market.decimals), value: sale.fee.toFixed() },
      repaid,
    };
    await this.ledger.post(tx, {
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
  private async repayFromDesk(tx: Tx, snapshot: AccountSnapshot, value: Decimal, loanRows: LoanRow[], entries: EntryInput[]) {
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
      const borrowIndex = snapshot.live.get(loan.asset)!.borrowIndex;
      const current = roundOwedByUser(dec(row.scaled_debt).times(borrowIndex), market.decimals);
      if (current.isZero()) continue;
      // What the user is credited rounds down: the platform's way.
      const units = Decimal.min(left.div(price).toDecimalPlaces(market.decimals, Decimal.ROUND_DOWN), current);
      if (units.isZero()) break;
      const repayment = this.loans.repayment(row, market, borrowIndex, units);
      entries.push({ account: chart.marketCash(loan.asset), amount: units }, ...repayment.entries);
      await this.loans.applyRepayment(tx, row, repayment, snapshot.now, 'liquidation');
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
  private async writeOff(tx: Tx, snapshot: AccountSnapshot, loanRows: LoanRow[]): Promise<Decimal> {
    const entries: EntryInput[] = [];
    const written: object[] = [];
    let value = ZERO;
    for (const row of loanRows) {
      const market = snapshot.markets.get(row.asset)!;
      const borrowIndex = snapshot.live.get(row.asset)!.borrowIndex;
      const outstanding = roundOwedByUser(dec(row.scaled_debt).times(borrowIndex), market.decimals);
      if (outstanding.isZero()) continue;
      const repayment = this.loans.repayment(row, market, borrowIndex, outstanding);
      entries.push(
        { account: chart.badDebt(row.asset), amount: outstanding },
        { account: chart.platformFunds(row.asset), amount: outstanding.negated() },
        { account: chart.marketCash(row.asset), amount: outstanding },
        ...repayment.entries,
      );
      await this.loans.applyRepayment(tx, row, repayment, snapshot.now, 'bad_debt');
      value = value.plus(outstanding.times(snapshot.prices.get(row.asset) ?? ZERO));
      written.push({ loanId: row.id, asset: row.asset, units: outstanding.toFixed(market.decimals) });
    }
    if (entries.length) {
      await this.ledger.post(tx, {
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
