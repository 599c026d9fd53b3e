import { Decimal } from '../common/money/decimal.js';
import { roundOwedByUser } from '../common/money/rounding.js';
import { AssetInfo } from '../common/money/assets.js';
import { chart } from '../ledger/chart.js';
import type { PostingInput } from '../ledger/ledger.types.js';
import { positionAmount } from '../holdings/positions.js';
import { noPosition, partialWithdrawalNotAllowed, positionLocked } from '../common/errors/catalogue.js';

/**
 * The rules of deposits and withdrawals that both paths apply (the Prisma path in
 * deposits.service.ts and the SQL-function path in deposit-statements.ts): one copy, so the
 * two answer and post exactly the same.
 */

/** A deposit's posting: the market's cash up, the customer's position (what is owed) up. */
export function depositPosting(accountId: string, asset: AssetInfo, amount: Decimal, network: string, at: Date): PostingInput {
  return {
    type: 'deposit',
    at,
    accountId,
    description: `${amount.toFixed()} ${asset.code} deposited on ${network} and lent`,
    metadata: { asset: asset.code, amount: amount.toFixed(asset.decimals), network },
    entries: [
      { account: chart.marketCash(asset.code), amount },
      { account: chart.position(accountId, asset.code), amount: amount.negated() },
    ],
  };
}

/**
 * What withdrawing the whole position pays (rounded down, the platform's way), after the
 * position's own checks, in the order the contract lists them: none, locked, not the whole.
 */
export function wholePositionPayout(
  asset: AssetInfo,
  position: { scaled: Decimal; maturesAt: Date } | undefined,
  supplyIndex: Decimal,
  now: Date,
  requested: Decimal | undefined,
): { scaled: Decimal; exact: Decimal; payout: Decimal } {
  if (!position || position.scaled.isZero()) {
    throw noPosition(asset.code);
  }
  if (position.maturesAt.getTime() > now.getTime()) {
    throw positionLocked(asset.code, position.maturesAt);
  }
  const scaled = position.scaled;
  const exact = scaled.times(supplyIndex);
  const payout = positionAmount(scaled, supplyIndex, asset.decimals);
  if (requested !== undefined && !requested.eq(payout)) {
    throw partialWithdrawalNotAllowed(asset.code, requested, payout, asset.decimals);
  }
  return { scaled, exact, payout };
}

/**
 * A whole withdrawal's posting: principal back from the position, interest from what the
 * market owes its suppliers, cash out; the fraction below the asset's unit stays with the
 * platform (booked, never lost).
 */
export function withdrawalPosting(
  accountId: string,
  asset: AssetInfo,
  principal: Decimal,
  { exact, payout }: { exact: Decimal; payout: Decimal },
  at: Date,
): PostingInput {
  const residue = roundOwedByUser(exact, asset.decimals).minus(payout);
  return {
    type: 'withdrawal',
    at,
    accountId,
    description: `${payout.toFixed(asset.decimals)} ${asset.code} withdrawn (the whole position)`,
    metadata: {
      asset: asset.code,
      amount: payout.toFixed(asset.decimals),
      principal: principal.toFixed(asset.decimals),
      interest: payout.minus(principal).toFixed(asset.decimals),
    },
    entries: [
      { account: chart.position(accountId, asset.code), amount: principal },
      { account: chart.interestPayable(asset.code), amount: payout.minus(principal).plus(residue) },
      { account: chart.marketCash(asset.code), amount: payout.negated() },
      { account: chart.rounding(asset.code), amount: residue.negated() },
    ].filter((entry) => !entry.amount.isZero()),
  };
}


