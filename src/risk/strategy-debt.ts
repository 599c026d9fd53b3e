import { Decimal, ONE, ZERO } from '../common/money/decimal.js';
import type { AccountSnapshot } from '../holdings/account-snapshot.service.js';
import type { Debt } from './close-factor-plan.js';
import type { LoanRow } from '../loans/repayment.js';
import type { Collateral } from './liquidation-plan.js';

/** The debt as the close-factor and absorb plans take it, and the asset it is counted in. */
export interface StrategyDebt extends Debt {
  /** The debt asset; with debts in several assets, the largest by value (where an absorb surplus goes). */
  asset: string;
  /** True when the debt is in one asset: the plan's units are that asset's. */
  single: boolean;
}

/** USD debts are counted to this many decimals when an account owes several assets. */
const USD_DECIMALS = 18;

/**
 * The account's debt for a plan. In one asset (the usual case, and Aave's and Comet's: one debt
 * asset per liquidation, one base asset per market): the units it owes (each loan's outstanding,
 * rounded up as shown), its price and decimals, so the plan's roundings are that asset's. In
 * several: their USD value at price 1 (as restore's plan counts it), repaid loan by loan from
 * the largest (repayFromDesk), the asset of the largest being where an absorb surplus goes.
 */
export function strategyDebt(snapshot: AccountSnapshot): StrategyDebt {
  const assets = [...new Set(snapshot.loans.map((loan) => loan.asset))].sort();
  const value = (asset: string) =>
    snapshot.loans.filter((l) => l.asset === asset).reduce((sum, l) => sum.plus(l.outstanding), ZERO).times(snapshot.prices.get(asset) ?? ZERO);
  const largest = assets.reduce<string | undefined>((best, asset) => (best === undefined || value(asset).gt(value(best)) ? asset : best), undefined);
  if (assets.length === 1) {
    const asset = assets[0];
    return {
      asset,
      single: true,
      amount: snapshot.loans.reduce((sum, l) => sum.plus(l.outstanding), ZERO),
      price: snapshot.prices.get(asset) ?? ZERO,
      decimals: snapshot.markets.get(asset)!.decimals,
    };
  }
  return { asset: largest ?? '', single: false, amount: snapshot.valuation.debtValue, price: ONE, decimals: USD_DECIMALS };
}

/** Units of the plan's debt in USD (what repayFromDesk pays out, largest loan first). */
export const debtValueOf = (debt: StrategyDebt, units: Decimal): Decimal => units.times(debt.price);

/** The account's loans as rows the repayments update in place (one batch's view of them). */
export function loanRowsOf(snapshot: AccountSnapshot): LoanRow[] {
  return snapshot.loans.map((loan) => ({
    id: loan.id,
    account_id: snapshot.accountId,
    asset: loan.asset,
    scaled_debt: loan.scaledDebt.toFixed(),
    principal: loan.principal.toFixed(),
  }));
}

/** The account's positions as every plan takes its collateral: amount, price (if any), decimals, levels. */
export function collateralOf(snapshot: AccountSnapshot): Collateral[] {
  return snapshot.positions.map((p) => ({
    asset: p.asset,
    amount: p.amount,
    price: snapshot.prices.get(p.asset),
    decimals: snapshot.markets.get(p.asset)!.decimals,
    levels: snapshot.markets.get(p.asset)!.risk,
  }));
}
