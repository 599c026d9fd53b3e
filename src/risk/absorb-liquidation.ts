import { Decimal } from '../common/money/decimal.js';
import { showRate } from '../calc/compounding.js';
import { chart } from '../ledger/chart.js';
import type { EntryInput } from '../ledger/ledger.types.js';
import { scaledSupply } from '../markets/index-math.js';
import type { AccountSnapshot } from '../holdings/account-snapshot.service.js';
import { planAbsorb, type AbsorbPlan } from './absorb-plan.js';
import type { LiquidationBatch, StrategyRules } from './liquidation-batch.js';
import { collateralOf, debtValueOf, loanRowsOf, strategyDebt, type StrategyDebt } from './strategy-debt.js';

/**
 * The absorb strategy (Compound v3, absorb-plan.ts) applied to one account of a batch. Ledger:
 *  - one `liquidation` transaction per collateral asset: the whole position (interest payable
 *    and rounding as a restore sale takes them) leaves the customer and is credited to the
 *    platform's collateral inventory (platform:collateral_inventory), a book of its own so that
 *    what the platform holds to sell at the store-front price is never mixed with restore's
 *    liquidation desk;
 *  - one `absorb_credit` transaction in the debt asset: the credit (value × liquidation factor,
 *    rounded down) repays the loans (market cash debit, debt credit, largest loan first, as a
 *    restore sale's proceeds do) and a credit above the debt is paid into the market as a
 *    position of the debt asset (market cash debit, position credit: as a deposit would be);
 *  - a credit below the debt leaves a shortfall written off as restore's bad debt is.
 * The surplus position's maturity: it is what remains of the customer's collateral, so it keeps
 * that collateral's lock: the latest maturity of the positions absorbed, or now if all had matured
 * (never a fresh lending period: nothing was deposited, and the customer should not lose access
 * to the remains of a forced sale for longer than to the collateral itself).
 * Collateral without a price cannot be valued: such an account is left as it is (Comet's absorb
 * reverts), and reviewed again at the next sweep.
 */
export function liquidateByAbsorb(batch: LiquidationBatch, snapshot: AccountSnapshot, rules: StrategyRules): void {
  if (snapshot.positions.some((p) => !snapshot.prices.get(p.asset)?.gt(0))) return;
  const debt = strategyDebt(snapshot);
  const collateral = collateralOf(snapshot).map((c) => ({ ...c, liquidationFactor: rules.terms.get(c.asset)!.liquidationFactor }));
  const plan = planAbsorb(debt, collateral, rules.settings.storeFrontPriceFactor);
  // A debt exactly at the level is not past it (Comet: liquidity < 0): nothing to do.
  if (!plan.liquidatable) return;
  const absorbed = plan.absorbed.map((a) => {
    const decimals = snapshot.markets.get(a.asset)!.decimals;
    const entries: EntryInput[] = [
      ...batch.takeCollateral(snapshot, a.asset, a.units, true),
      { account: chart.collateralInventory(a.asset), amount: a.units.negated() },
    ];
    const figures = {
      asset: a.asset,
      units: a.units.toFixed(decimals),
      price: a.price.toFixed(),
      value: a.value.toFixed(),
      liquidationFactor: rules.terms.get(a.asset)!.liquidationFactor.toFixed(),
      credited: a.credited.toFixed(),
      storeFrontPrice: a.storeFrontPrice.toFixed(),
    };
    batch.postings.push({
      type: 'liquidation',
      at: snapshot.now,
      accountId: snapshot.accountId,
      description: `Liquidation (absorb): ${a.units.toFixed(decimals)} ${a.asset} absorbed at ${a.price.toFixed()}, credited at ${figures.liquidationFactor} of its value`,
      metadata: { amount: figures.units, strategy: 'absorb', ...figures },
      entries: entries.filter((e) => !e.amount.isZero()),
    });
    return figures;
  });
  const loanRows = loanRowsOf(snapshot);
  const credit = creditTheAccount(batch, snapshot, debt, plan, loanRows);
  // Every unit of collateral is gone: whatever debt the credit did not cover is written off.
  const badDebt = batch.writeOff(snapshot, loanRows);
  batch.liquidated.set(snapshot.accountId, {
    steps: absorbed,
    badDebt,
    sales: absorbed.length,
    notice: (before) => ({
      strategy: 'absorb',
      ltvBefore: before.valuation.ltv ? showRate(before.valuation.ltv) : null,
      ltvAfter: null,
      liquidationLevel: plan.liquidationLevel ? showRate(plan.liquidationLevel) : null,
      absorbed,
      ...credit,
      badDebt: badDebt.toFixed(),
      protocolResultIfSold: plan.protocolResultIfSold.toFixed(),
      currency: 'USD',
    }),
  });
}

/** The credit repays the loans; what exceeds the debt becomes a position of the debt asset. One transaction. */
function creditTheAccount(batch: LiquidationBatch, snapshot: AccountSnapshot, debt: StrategyDebt, plan: AbsorbPlan, loanRows: ReturnType<typeof loanRowsOf>) {
  const entries: EntryInput[] = [];
  const repaid = batch.repayFromDesk(snapshot, debtValueOf(debt, Decimal.min(plan.credit, debt.amount)), loanRows, entries);
  const surplus = surplusUnits(snapshot, debt, plan.surplus);
  const decimals = debt.asset ? snapshot.markets.get(debt.asset)!.decimals : 0;
  let surplusView: { asset: string; units: string; maturesAt: string } | null = null;
  if (surplus.gt(0)) {
    const maturesAt = new Date(Math.max(snapshot.now.getTime(), ...snapshot.positions.map((p) => p.maturesAt.getTime())));
    const scaled = scaledSupply(surplus, snapshot.lane(debt.asset).supplyIndex);
    entries.push({ account: chart.marketCash(debt.asset), amount: surplus }, { account: chart.position(snapshot.accountId, debt.asset), amount: surplus.negated() });
    batch.surplusPositions.push({ accountId: snapshot.accountId, asset: debt.asset, scaled, principal: surplus, maturesAt, tier: snapshot.tier });
    batch.totals.push({ asset: debt.asset, tier: snapshot.tier, supplyScaled: scaled, supplyPrincipal: surplus });
    surplusView = { asset: debt.asset, units: surplus.toFixed(decimals), maturesAt: maturesAt.toISOString() };
  }
  const creditView = { asset: debt.single ? debt.asset : 'USD', units: plan.credit.toFixed(), value: debtValueOf(debt, plan.credit).toFixed() };
  if (entries.length > 0) {
    batch.postings.push({
      type: 'absorb_credit',
      at: snapshot.now,
      accountId: snapshot.accountId,
      description: `Absorb credit: ${creditView.units} ${creditView.asset} against the debt${surplusView ? `, ${surplusView.units} ${surplusView.asset} left to the account` : ''}`,
      metadata: { asset: creditView.asset, amount: debt.single ? plan.credit.toFixed(decimals) : creditView.units, credit: creditView, repaid, surplus: surplusView },
      entries: entries.filter((e) => !e.amount.isZero()),
    });
  }
  return { credit: creditView, repaid, surplus: surplusView };
}

/** The surplus in units of the debt asset: the plan's own with one debt asset; from USD, rounded down, with several. */
function surplusUnits(snapshot: AccountSnapshot, debt: StrategyDebt, surplus: Decimal): Decimal {
  if (debt.single || surplus.isZero()) return surplus;
  const price = snapshot.prices.get(debt.asset)!;
  return surplus.div(price).toDecimalPlaces(snapshot.markets.get(debt.asset)!.decimals, Decimal.ROUND_DOWN);
}


