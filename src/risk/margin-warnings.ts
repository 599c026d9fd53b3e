import { Decimal } from '../common/money/decimal.js';
import { showRate } from '../calc/compounding.js';
import type { AccountSnapshot } from '../holdings/account-snapshot.service.js';
import type { Notice } from './liquidation-batch.js';

/**
 * The platform's extra margin-call warning levels (settings.marginCallWarnings; Nexo warns at
 * 71.4, 74.1 and 76.9 % LTV), beside each asset's own margin-call level: a margin_call_warning
 * notice once per crossing of each level. As margin calls do (account_risk.crossings), an
 * account's row in account_risk remembers where it was last seen (warning_ltv: the highest
 * level at or below its LTV) and counts its crossings (warning_crossings, part of each notice's
 * dedupe key): a level is crossed when the LTV reaches it from below the level last seen; it
 * warns again only after the LTV has been seen back below it. Pure: the review writes.
 */

/** The highest level at or below the LTV: where the account is seen (null: below them all, or no debt). */
export function warningLevelSeen(levels: Decimal[], ltv: Decimal | null): Decimal | null {
  if (ltv === null) return null;
  return levels.filter((level) => level.lte(ltv)).at(-1) ?? null;
}

/** The levels the LTV has reached since it was last seen at `lastSeen` (ascending, maybe none). */
export function warningLevelsCrossed(levels: Decimal[], lastSeen: Decimal | null, ltv: Decimal | null): Decimal[] {
  if (ltv === null) return [];
  return levels.filter((level) => level.lte(ltv) && (lastSeen === null || level.gt(lastSeen)));
}

export const warningKey = (accountId: string, level: Decimal, crossing: number) => `margin_call_warning:${accountId}:${level.toFixed()}:${crossing}`;

/** One notice per level crossed, in the account's `crossing`-th warning crossing. */
export function warningNotices(snapshot: AccountSnapshot, crossed: Decimal[], crossing: number): Notice[] {
  const { valuation } = snapshot;
  return crossed.map((level) => ({
    accountId: snapshot.accountId,
    type: 'margin_call_warning',
    at: snapshot.now,
    dedupeKey: warningKey(snapshot.accountId, level, crossing),
    data: {
      level: showRate(level),
      ltv: valuation.ltv ? showRate(valuation.ltv) : null,
      marginCallLtv: valuation.levels ? showRate(valuation.levels.marginCallLtv) : null,
      liquidationLtv: valuation.levels ? showRate(valuation.levels.liquidationLtv) : null,
      collateralValue: valuation.collateralValue.toFixed(),
      debtValue: valuation.debtValue.toFixed(),
      currency: 'USD',
    },
  }));
}
