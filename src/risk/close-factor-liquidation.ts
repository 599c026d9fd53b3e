import { Decimal, ZERO } from '../common/money/decimal.js';
import { showRate } from '../calc/compounding.js';
import { chart } from '../ledger/chart.js';
import type { EntryInput } from '../ledger/ledger.types.js';
import type { AccountSnapshot } from '../holdings/account-snapshot.service.js';
import { planCloseFactorLiquidation, type Seizure } from './close-factor-plan.js';
import type { LiquidationBatch, StrategyRules } from './liquidation-batch.js';
import { collateralOf, debtValueOf, loanRowsOf, strategyDebt, type StrategyDebt } from './strategy-debt.js';
import type { LoanRow } from '../loans/repayment.js';

/**
 * The close-factor strategy (Aave v3.3, close-factor-plan.ts) applied to one account of a batch.
 * The platform stands in as the liquidator. Each seizure is one ledger transaction, as a restore
 * sale is, in the same accounts:
 *   position (and interest payable, rounding)  debit   the units seized leave the customer's position
 *   liquidation desk (collateral asset)        credit  the liquidator's units: the platform, as
 *                                                      liquidator, takes them into its conversion book
 *                                                      (where restore's sold units go)
 *   liquidation fees (collateral asset)        credit  the protocol's share of the bonus: platform revenue
 *   market cash (debt asset)                   debit   the liquidator repays `repaid` into the market
 *   debt, interest receivable                  credit  the loans repaid, largest first
 * A debt left with no collateral (v3.3's deficit) is written off as restore's bad debt is:
 * the platform pays it into the market from its own funds and books the loss.
 * The notice names the strategy and its figures: health factor before and after, the share of
 * the debt allowed, each seizure with its bonus split. No margin-call step: the account keeps
 * whatever collateral was not seized.
 */
export function liquidateByCloseFactor(batch: LiquidationBatch, snapshot: AccountSnapshot, rules: StrategyRules): void {
  const debt = strategyDebt(snapshot);
  const collateral = collateralOf(snapshot).map((c) => ({
    ...c,
    bonus: rules.terms.get(c.asset)!.liquidationBonus,
    protocolFeeShare: rules.terms.get(c.asset)!.protocolFeeShare,
  }));
  const plan = planCloseFactorLiquidation(debt, collateral, rules.settings);
  // At a health factor of exactly 1 the account is at its level but not below it: nothing to do.
  if (!plan.liquidatable) return;
  const loanRows = loanRowsOf(snapshot);
  const steps = plan.seizures.map((seizure) => seize(batch, snapshot, debt, seizure, loanRows, rules.terms.get(seizure.asset)!.liquidationBonus));
  const collateralLeft = snapshot.positions.some((p) => !plan.seizures.some((s) => s.asset === p.asset && s.seizedAll));
  // No collateral left: whatever debt remains (the deficit, or a unit of rounding) is written off.
  const badDebt = collateralLeft ? ZERO : batch.writeOff(snapshot, loanRows);
  batch.liquidated.set(snapshot.accountId, {
    steps,
    badDebt,
    sales: plan.seizures.length,
    notice: (before, after) => ({
      strategy: 'close-factor',
      ltvBefore: before.valuation.ltv ? showRate(before.valuation.ltv) : null,
      ltvAfter: after.valuation.ltv ? showRate(after.valuation.ltv) : null,
      healthFactorBefore: plan.healthFactor ? showRate(plan.healthFactor) : null,
      healthFactorAfter: healthFactor(after),
      closeFactor: plan.closeFactor.toFixed(),
      maxRepay: { asset: debt.single ? debt.asset : 'USD', units: plan.maxRepay.toFixed() },
      repaid: { asset: debt.single ? debt.asset : 'USD', units: plan.repaid.toFixed() },
      steps,
      badDebt: badDebt.toFixed(),
      currency: 'USD',
    }),
  });
}

/** Σ valueᵢ × liquidationLtvᵢ / debt value of the account after (null without debt), from exact products as the plan's. */
function healthFactor(after: AccountSnapshot): string | null {
  if (!after.valuation.debtValue.gt(0)) return null;
  const weighted = after.positions.reduce(
    (sum, p) => sum.plus(p.amount.times(after.prices.get(p.asset) ?? ZERO).times(after.markets.get(p.asset)!.risk.liquidationLtv)),
    ZERO,
  );
  return showRate(weighted.div(after.valuation.debtValue));
}

function seize(batch: LiquidationBatch, snapshot: AccountSnapshot, debt: StrategyDebt, seizure: Seizure, loanRows: LoanRow[], bonus: Decimal): object {
  const decimals = snapshot.markets.get(seizure.asset)!.decimals;
  const entries: EntryInput[] = [
    ...batch.takeCollateral(snapshot, seizure.asset, seizure.units, seizure.seizedAll),
    { account: chart.liquidationFees(seizure.asset), amount: seizure.protocolFeeUnits.negated() },
    { account: chart.liquidationDesk(seizure.asset), amount: seizure.liquidatorUnits.negated() },
  ];
  const repaidValue = debtValueOf(debt, seizure.repaid);
  const repaid = batch.repayFromDesk(snapshot, repaidValue, loanRows, entries);
  const step = {
    seized: { asset: seizure.asset, units: seizure.units.toFixed(decimals), price: seizure.price.toFixed(), value: seizure.value.toFixed() },
    bonus: bonus.toFixed(),
    // What the borrower paid for this close, USD (exact products): the value seized beyond the debt it repaid.
    repaidValue: repaidValue.toFixed(),
    bonusValue: seizure.value.minus(repaidValue).toFixed(),
    liquidator: { asset: seizure.asset, units: seizure.liquidatorUnits.toFixed(decimals) },
    protocolFee: { asset: seizure.asset, units: seizure.protocolFeeUnits.toFixed(decimals) },
    repaid,
  };
  batch.postings.push({
    type: 'liquidation',
    at: snapshot.now,
    accountId: snapshot.accountId,
    description: `Liquidation (close factor): ${seizure.units.toFixed(decimals)} ${seizure.asset} seized at ${seizure.price.toFixed()}`,
    metadata: { asset: seizure.asset, amount: seizure.units.toFixed(decimals), strategy: 'close-factor', ...step },
    entries: entries.filter((e) => !e.amount.isZero()),
  });
  return step;
}
