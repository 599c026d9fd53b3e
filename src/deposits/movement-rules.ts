import { Decimal } from '../common/money/decimal.js';
import { roundOwedByUser, roundOwedToUser } from '../common/money/rounding.js';
import { MS_PER_DAY } from '../clock/dates.js';
import { scaledSupply } from '../markets/index-math.js';
import { AssetInfo } from '../common/money/assets.js';
import { chart } from '../ledger/chart.js';
import type { PostingInput } from '../ledger/ledger.types.js';
import { positionAmount } from '../holdings/positions.js';
import { amountExceedsPosition, noPosition, partialWithdrawalNotAllowed, positionLocked } from '../common/errors/catalogue.js';

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

/** The platform rules a movement applies (settings; platform-rules.ts says what each means). */
export interface MovementRules {
  lendingPeriodDays: number;
  topUpResetsMaturity: boolean;
  wholePositionWithdrawals: boolean;
}

/**
 * A position's maturity after a deposit. A top-up moves the maturity of the whole position, old
 * funds and new, unless the rules keep it (then it stays one lending period after the open
 * position's first deposit, as it was set then). A deposit into no position, or into a closed
 * one (withdrawn: scaled 0), opens a new position: its first deposit is this one, whatever the
 * rules. With a lending period of 0 a position is matured at once (maturesAt = now).
 */
export function maturityAfterDeposit(
  position: { scaled: Decimal; maturesAt: Date } | null | undefined,
  now: Date,
  rules: MovementRules,
): Date {
  const open = position && !position.scaled.isZero();
  if (open && !rules.topUpResetsMaturity) return position.maturesAt;
  return new Date(now.getTime() + rules.lendingPeriodDays * MS_PER_DAY);
}

/** What a withdrawal takes off the position and pays out. */
export interface Withdrawal {
  /** Scaled units taken off the position (all of them when `whole`). */
  scaled: Decimal;
  /** Principal taken off the position (all of it when `whole`). */
  principal: Decimal;
  /** The exact value of the units taken: scaled × supply index. */
  exact: Decimal;
  /** What is paid, in the asset's units. */
  payout: Decimal;
  whole: boolean;
}

/**
 * What a withdrawal pays and takes, after the position's own checks, in the order the contract
 * lists them: none, locked, then the amount. No amount, or exactly the whole position (rounded
 * down, the platform's way), is the whole position. Any other amount is refused while only
 * whole positions may be withdrawn; else it must not exceed the position and is taken from it
 * by partOfPosition.
 */
export function withdrawalOf(
  asset: AssetInfo,
  position: { scaled: Decimal; principal: Decimal; maturesAt: Date } | null | undefined,
  supplyIndex: Decimal,
  now: Date,
  requested: Decimal | undefined,
  rules: Pick<MovementRules, 'wholePositionWithdrawals'>,
): Withdrawal {
  if (!position || position.scaled.isZero()) {
    throw noPosition(asset.code);
  }
  if (position.maturesAt.getTime() > now.getTime()) {
    throw positionLocked(asset.code, position.maturesAt);
  }
  const { scaled, principal } = position;
  const payout = positionAmount(scaled, supplyIndex, asset.decimals);
  if (requested === undefined || requested.eq(payout)) {
    return { scaled, principal, exact: scaled.times(supplyIndex), payout, whole: true };
  }
  if (rules.wholePositionWithdrawals) {
    throw partialWithdrawalNotAllowed(asset.code, requested, payout, asset.decimals);
  }
  if (requested.gt(payout)) {
    throw amountExceedsPosition(asset.code, payout, requested, asset.decimals);
  }
  return partOfPosition(asset, position, supplyIndex, requested);
}

/**
 * Part of a position, `amount` below its value. The scaled units taken round UP at the 30th
 * decimal (amount / index, as a deposit's do), so the units taken are worth at least what is
 * paid: the platform never pays out more than the position holds, and what stays is worth at
 * most the value less the amount. The fraction (under 10^-30 of a scaled unit) is the user's
 * loss, the platform's gain, as every rounding in LendLab (rounding.ts); the payout itself is
 * exactly the amount asked. The principal taken is the same share of the principal, rounded
 * down to the asset's decimals: it splits the payout between principal and interest in the
 * ledger and moves no money. The units can never exceed the position's (amount < value).
 */
function partOfPosition(asset: AssetInfo, position: { scaled: Decimal; principal: Decimal }, supplyIndex: Decimal, amount: Decimal): Withdrawal {
  const scaled = Decimal.min(scaledSupply(amount, supplyIndex), position.scaled);
  const principal = roundOwedToUser(position.principal.times(scaled).div(position.scaled), asset.decimals);
  return { scaled, principal, exact: scaled.times(supplyIndex), payout: amount, whole: false };
}

/**
 * A withdrawal's posting (whole or part): principal back from the position, interest from what
 * the market owes its suppliers, cash out; the fraction below the asset's unit of the units'
 * exact value stays with the platform (booked, never lost).
 */
export function withdrawalPosting(accountId: string, asset: AssetInfo, { principal, exact, payout, whole }: Withdrawal, at: Date): PostingInput {
  const residue = roundOwedByUser(exact, asset.decimals).minus(payout);
  return {
    type: 'withdrawal',
    at,
    accountId,
    description: `${payout.toFixed(asset.decimals)} ${asset.code} withdrawn (${whole ? 'the whole position' : 'part of the position'})`,
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


