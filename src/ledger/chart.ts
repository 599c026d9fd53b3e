import type { LedgerAccountRef } from './ledger.types.js';

/**
 * LendLab's chart of accounts: every ledger account a posting may touch, by one name each.
 * Positive balances are debits. Customer accounts are per (account, asset); platform
 * accounts per asset.
 *
 *   market cash           debit   what the platform holds of the asset (its liquidity); never below 0
 *   interest payable      credit  suppliers' accrued interest not yet paid out with a withdrawal
 *   interest receivable   debit   borrowers' accrued interest not yet repaid
 *   reserve               credit  the interest spread at the market's own rates (borrowers' − suppliers')
 *   loyalty expense       debit   what loyalty tiers' better rates cost the platform, day by day
 *   rounding              credit  the fractions rounding leaves with the platform
 *   liquidation desk      either  the platform's conversion book: collateral sold in, debt assets out
 *   liquidation fees      credit  the fee kept from the value sold in a liquidation
 *   bad debt              debit   debt written off when collateral ran out: the platform's loss
 *   platform funds        credit  the platform's own money, put into a market to cover bad debt
 *   collateral inventory  either  collateral the platform absorbed whole (absorb strategy), held to sell
 *   position              credit  what the platform owes a customer: principal deposited
 *   debt                  debit   what a customer owes: principal borrowed
 */
export const chart = {
  marketCash: (asset: string): LedgerAccountRef => ({
    code: 'market:cash',
    asset,
    kind: 'market_cash',
    normalSide: 'debit',
    noOverdraft: true,
  }),
  interestPayable: (asset: string): LedgerAccountRef => ({
    code: 'market:interest_payable',
    asset,
    kind: 'interest_payable',
    normalSide: 'credit',
    noOverdraft: false,
  }),
  interestReceivable: (asset: string): LedgerAccountRef => ({
    code: 'market:interest_receivable',
    asset,
    kind: 'interest_receivable',
    normalSide: 'debit',
    noOverdraft: false,
  }),
  reserve: (asset: string): LedgerAccountRef => ({
    code: 'platform:reserve',
    asset,
    kind: 'reserve',
    normalSide: 'credit',
    noOverdraft: false,
  }),
  loyaltyExpense: (asset: string): LedgerAccountRef => ({
    code: 'platform:loyalty_expense',
    asset,
    kind: 'loyalty_expense',
    normalSide: 'debit',
    noOverdraft: false,
  }),
  rounding: (asset: string): LedgerAccountRef => ({
    code: 'platform:rounding',
    asset,
    kind: 'rounding',
    normalSide: 'credit',
    noOverdraft: false,
  }),
  liquidationDesk: (asset: string): LedgerAccountRef => ({
    code: 'platform:liquidation_desk',
    asset,
    kind: 'liquidation_desk',
    normalSide: 'debit',
    noOverdraft: false,
  }),
  liquidationFees: (asset: string): LedgerAccountRef => ({
    code: 'platform:liquidation_fees',
    asset,
    kind: 'liquidation_fees',
    normalSide: 'credit',
    noOverdraft: false,
  }),
  badDebt: (asset: string): LedgerAccountRef => ({
    code: 'platform:bad_debt',
    asset,
    kind: 'bad_debt',
    normalSide: 'debit',
    noOverdraft: false,
  }),
  platformFunds: (asset: string): LedgerAccountRef => ({
    code: 'platform:funds',
    asset,
    kind: 'platform_funds',
    normalSide: 'credit',
    noOverdraft: false,
  }),
  collateralInventory: (asset: string): LedgerAccountRef => ({
    code: 'platform:collateral_inventory',
    asset,
    kind: 'collateral_inventory',
    normalSide: 'debit',
    noOverdraft: false,
  }),
  position: (accountId: string, asset: string): LedgerAccountRef => ({
    code: `account:${accountId}:position`,
    asset,
    kind: 'position',
    accountId,
    normalSide: 'credit',
    noOverdraft: true,
  }),
  debt: (accountId: string, asset: string): LedgerAccountRef => ({
    code: `account:${accountId}:debt`,
    asset,
    kind: 'debt',
    accountId,
    normalSide: 'debit',
    noOverdraft: true,
  }),
};

/** Every platform account of one asset's market. */
export const platformAccountsOf = (asset: string): LedgerAccountRef[] => [
  chart.marketCash(asset),
  chart.interestPayable(asset),
  chart.interestReceivable(asset),
  chart.reserve(asset),
  chart.loyaltyExpense(asset),
  chart.rounding(asset),
  chart.liquidationDesk(asset),
  chart.liquidationFees(asset),
  chart.badDebt(asset),
  chart.platformFunds(asset),
];
