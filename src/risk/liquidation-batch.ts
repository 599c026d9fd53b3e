import { Decimal, ZERO } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { showRate } from '../calc/compounding.js';
import { chart } from '../ledger/chart.js';
import type { EntryInput, PostingInput } from '../ledger/ledger.types.js';
import { SCALED_DECIMALS } from '../markets/index-math.js';
import type { TotalsMove } from '../markets/markets.repository.js';
import { LoanRow, repaymentOf } from '../loans/repayment.js';
import type { HoldingWrite } from '../holdings/holding-rows.js';
import { loanOutstanding } from '../holdings/loan-outstanding.js';
import type { AccountSnapshot, AccountSnapshotService } from '../holdings/account-snapshot.service.js';
import { planLiquidation, Sale } from './liquidation-plan.js';
import type { Tier } from '../markets/tier-lanes.js';
import type { LiquidationTerms } from '../markets/liquidation-terms.js';
import type { LiquidationStrategySettings } from '../settings/liquidation-strategy.js';
import { collateralOf, loanRowsOf } from './strategy-debt.js';

/** A row's state after the batch, and the change to record for it. */
export type RowWrite = HoldingWrite & { principalAfter: Decimal; kind: 'liquidation' | 'bad_debt' };

/** A position of the debt asset the absorb strategy opens (or refills) with a credit above the debt. */
export interface SurplusPosition {
  accountId: string;
  asset: string;
  scaled: Decimal;
  principal: Decimal;
  maturesAt: Date;
  tier: Tier;
}

/** What a strategy other than restore needs: the settings and each market's terms (issue 16). */
export interface StrategyRules {
  settings: LiquidationStrategySettings;
  terms: Map<string, LiquidationTerms>;
}

/** One account's liquidation as the batch did it, for its notice and the log. */
export interface Liquidated {
  steps: object[];
  badDebt: Decimal;
  sales: number;
  /** The notice's data for strategies other than restore (restore's is liquidationNotice's own). */
  notice?: (before: AccountSnapshot, after: AccountSnapshot) => object;
}

export interface Notice {
  accountId: string;
  type: string;
  at: Date;
  data: object;
  dedupeKey?: string;
}

/**
 * What liquidating a batch of accounts writes, worked out in memory from their snapshots
 * (taken under their row locks) so that the batch writes it in a few set-based statements:
 * positions and loans after, the changes to record, the markets' totals, and one ledger
 * transaction per sale and per write-off. Nothing here touches the database.
 */
export class LiquidationBatch {
  readonly positions: RowWrite[] = [];
  readonly loans: RowWrite[] = [];
  readonly totals: TotalsMove[] = [];
  readonly postings: PostingInput[] = [];
  /** Positions of a debt asset opened by the absorb strategy's surplus (written after the rows above). */
  readonly surplusPositions: SurplusPosition[] = [];
  /** Per liquidated account: the steps and the bad debt, for its notice. */
  readonly liquidated = new Map<string, Liquidated>();

  /** Each row's last write, once the batch is planned (after() reads it for every account). */
  private lastWrites?: { positions: Map<string, RowWrite>; loans: Map<string, RowWrite> };

  constructor(private readonly liquidationFee: Decimal) {}

  /**
   * The restore strategy: sells as planned; writes off what debt remains if every unit of
   * collateral was sold. (The other strategies, liquidate-by-strategy.ts, use the helpers below.)
   */
  liquidate(snapshot: AccountSnapshot): void {
    const plan = planLiquidation(snapshot.valuation.debtValue, collateralOf(snapshot), this.liquidationFee);
    const loanRows = loanRowsOf(snapshot);
    const steps = plan.sales.map((sale) => this.sell(snapshot, sale, loanRows));
    // With every unit of collateral sold, whatever debt remains (bad debt, or a unit of rounding
    // dust) is written off: the account ends with no debt.
    const badDebt = plan.soldEverything ? this.writeOff(snapshot, loanRows) : ZERO;
    this.liquidated.set(snapshot.accountId, { steps, badDebt, sales: plan.sales.length });
  }

  /** The account as the batch leaves it: its rows' last writes, valued like any snapshot. */
  after(snapshots: AccountSnapshotService, before: AccountSnapshot): AccountSnapshot {
    const last = (this.lastWrites ??= {
      positions: new Map(this.positions.map((w) => [w.id, w])),
      loans: new Map(this.loans.map((w) => [w.id, w])),
    });
    return snapshots.holding(
      before,
      before.positions.map((p) => {
        const write = last.positions.get(p.id);
        return write ? { ...p, scaled: write.scaledAfter, principal: write.principalAfter } : p;
      }),
      before.loans.map((l) => {
        const write = last.loans.get(l.id);
        return write ? { ...l, scaledDebt: write.scaledAfter, principal: write.principalAfter } : l;
      }),
    );
  }

  /** The notice of a liquidation, once the account after it is known. */
  liquidationNotice(before: AccountSnapshot, after: AccountSnapshot): Notice {
    const { steps, badDebt, notice } = this.liquidated.get(before.accountId)!;
    return {
      accountId: before.accountId,
      type: 'liquidation',
      at: before.now,
      data: notice?.(before, after) ?? {
        ltvBefore: before.valuation.ltv ? showRate(before.valuation.ltv) : null,
        ltvAfter: after.valuation.ltv ? showRate(after.valuation.ltv) : null,
        target: before.valuation.levels ? showRate(before.valuation.levels.marginCallLtv) : null,
        liquidationFee: this.liquidationFee.toFixed(),
        steps,
        badDebt: badDebt.toFixed(),
        currency: 'USD',
      },
    };
  }

  /**
   * One sale, one ledger transaction: the customer's position gives up `units` (interest
   * first, then principal), the platform keeps the fee in the sold asset, its liquidation desk
   * takes the rest, and the proceeds arrive in the debt asset's market as repayments of the
   * account's loans, largest first (the market's cash is refilled as by any repayment).
   */
  private sell(snapshot: AccountSnapshot, sale: Sale, loanRows: LoanRow[]): object {
    const market = snapshot.markets.get(sale.asset)!;
    const feeUnits = sale.fee.div(sale.price).toDecimalPlaces(market.decimals, Decimal.ROUND_DOWN);
    const entries: EntryInput[] = [
      ...this.takeCollateral(snapshot, sale.asset, sale.units, sale.soldAll),
      { account: chart.liquidationFees(sale.asset), amount: feeUnits.negated() },
      { account: chart.liquidationDesk(sale.asset), amount: sale.units.minus(feeUnits).negated() },
    ];
    const repaid = this.repayFromDesk(snapshot, sale.repaid, loanRows, entries);
    const step = {
      sold: { asset: sale.asset, units: sale.units.toFixed(market.decimals), price: sale.price.toFixed(), value: sale.proceeds.toFixed() },
      fee: { asset: sale.asset, units: feeUnits.toFixed(market.decimals), value: sale.fee.toFixed() },
      repaid,
    };
    this.postings.push({
      type: 'liquidation',
      at: snapshot.now,
      accountId: snapshot.accountId,
      description: `Liquidation: ${sale.units.toFixed(market.decimals)} ${sale.asset} sold at ${sale.price.toFixed()}`,
      metadata: { asset: sale.asset, amount: sale.units.toFixed(market.decimals), ...step },
      entries: entries.filter((e) => !e.amount.isZero()),
    });
    return step;
  }

  /**
   * The customer's position gives up `units` (interest first, then principal; `all` when it is
   * the whole position): its row after and the market's totals are recorded, and the entries
   * debiting it are returned; the caller credits them where the units go (every strategy).
   */
  takeCollateral(snapshot: AccountSnapshot, asset: string, units: Decimal, all: boolean): EntryInput[] {
    const market = snapshot.markets.get(asset)!;
    const position = snapshot.positions.find((p) => p.asset === asset)!;
    const supplyIndex = snapshot.lane(asset).supplyIndex;
    const interest = Decimal.max(position.amount.minus(position.principal), ZERO);
    const interestUsed = Decimal.min(units, interest);
    const principalUsed = all ? position.principal : units.minus(interestUsed);
    // Rounded down at the 30th decimal, so that what remains still shows amount − units to the
    // unit (api-contract: the position gives up exactly the units sold); rounding up could take
    // one unit more. The sub-10^-29 difference stays the customer's, as a deposit's does.
    const scaledRemoved = all ? position.scaled : Decimal.min(units.div(supplyIndex).toDecimalPlaces(SCALED_DECIMALS, Decimal.ROUND_DOWN), position.scaled);
    // Taking the whole position leaves its sub-unit fraction with the platform, as a withdrawal does.
    const residue = all ? roundOwedByUser(position.scaled.times(supplyIndex), market.decimals).minus(position.amount) : ZERO;
    this.positions.push({
      id: position.id,
      scaledAfter: position.scaled.minus(scaledRemoved),
      principalAfter: position.principal.minus(principalUsed),
      kind: 'liquidation',
      tier: snapshot.tier,
    });
    this.totals.push({ asset, tier: snapshot.tier, supplyScaled: scaledRemoved.negated(), supplyPrincipal: principalUsed.negated() });
    return [
      { account: chart.position(snapshot.accountId, asset), amount: principalUsed },
      { account: chart.interestPayable(asset), amount: units.minus(principalUsed).plus(residue) },
      { account: chart.rounding(asset), amount: residue.negated() },
    ];
  }

  /** Pays `value` (USD) of debt into the loans' markets, largest loan first; appends the entries; returns what each loan got. */
  repayFromDesk(snapshot: AccountSnapshot, value: Decimal, loanRows: LoanRow[], entries: EntryInput[]) {
    const repaid: { loanId: string; asset: string; units: string }[] = [];
    let left = value;
    // A loan in an asset without a price cannot be valued, so it cannot be repaid from a sale.
    const byValue = snapshot.loans
      .filter((loan) => snapshot.prices.has(loan.asset))
      .sort((a, b) => b.outstanding.times(snapshot.prices.get(b.asset)!).comparedTo(a.outstanding.times(snapshot.prices.get(a.asset)!)));
    for (const loan of byValue) {
      if (left.lte(0)) break;
      const row = loanRows.find((r) => r.id === loan.id)!;
      const decimals = snapshot.markets.get(loan.asset)!.decimals;
      const price = snapshot.prices.get(loan.asset)!;
      const borrowIndex = snapshot.lane(loan.asset).borrowIndex;
      const current = loanOutstanding(new Decimal(row.scaled_debt), borrowIndex, decimals);
      if (current.isZero()) continue;
      // What the user is credited rounds down: the platform's way.
      const units = Decimal.min(left.div(price).toDecimalPlaces(decimals, Decimal.ROUND_DOWN), current);
      if (units.isZero()) break;
      entries.push({ account: chart.marketCash(loan.asset), amount: units }, ...this.repay(snapshot, row, units, 'liquidation'));
      left = left.minus(units.times(price));
      repaid.push({ loanId: loan.id, asset: loan.asset, units: units.toFixed(decimals) });
    }
    return repaid;
  }

  /**
   * Collateral is gone and debt remains: the platform repays it into the market from its own
   * funds and books the loss, so lenders' claims stay whole and the market's cash with them.
   * One transaction per debt asset, so that each statement line has its asset and amount.
   */
  writeOff(snapshot: AccountSnapshot, loanRows: LoanRow[]): Decimal {
    let value = ZERO;
    for (const asset of [...new Set(loanRows.map((row) => row.asset))].sort()) {
      const decimals = snapshot.markets.get(asset)!.decimals;
      const entries: EntryInput[] = [];
      const written: object[] = [];
      let units = ZERO;
      for (const row of loanRows.filter((r) => r.asset === asset)) {
        const outstanding = loanOutstanding(new Decimal(row.scaled_debt), snapshot.lane(asset).borrowIndex, decimals);
        if (outstanding.isZero()) continue;
        entries.push(
          { account: chart.badDebt(asset), amount: outstanding },
          { account: chart.platformFunds(asset), amount: outstanding.negated() },
          { account: chart.marketCash(asset), amount: outstanding },
          ...this.repay(snapshot, row, outstanding, 'bad_debt'),
        );
        units = units.plus(outstanding);
        written.push({ loanId: row.id, asset, units: outstanding.toFixed(decimals) });
      }
      if (entries.length === 0) continue;
      const assetValue = units.times(snapshot.prices.get(asset) ?? ZERO);
      value = value.plus(assetValue);
      this.postings.push({
        type: 'bad_debt',
        at: snapshot.now,
        accountId: snapshot.accountId,
        description: `${units.toFixed(decimals)} ${asset} of debt left after all collateral was sold, written off as the platform’s loss`,
        metadata: { asset, amount: units.toFixed(decimals), writtenOff: written, value: assetValue.toFixed(), currency: 'USD' },
        entries,
      });
    }
    return value;
  }

  /** A repayment of one loan: its row after, its totals change; returns the entries crediting the debt side. */
  private repay(snapshot: AccountSnapshot, row: LoanRow, units: Decimal, kind: RowWrite['kind']): EntryInput[] {
    const decimals = snapshot.markets.get(row.asset)!.decimals;
    const repayment = repaymentOf(row, decimals, snapshot.lane(row.asset).borrowIndex, units);
    this.loans.push({ id: row.id, scaledAfter: repayment.scaledAfter, principalAfter: repayment.principalAfter, kind, tier: snapshot.tier });
    this.totals.push({ asset: row.asset, tier: snapshot.tier, borrowScaled: repayment.scaledPaid.negated(), borrowPrincipal: repayment.principalPaid.negated() });
    row.scaled_debt = repayment.scaledAfter.toFixed();
    row.principal = repayment.principalAfter.toFixed();
    return repayment.entries;
  }
}

