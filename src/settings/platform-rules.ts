import { Decimal, dec } from '../common/money/decimal.js';
import { invalidField } from '../common/errors/domain-error.js';

/**
 * The platform rules a preset may change (issue 16, docs/presets.md), beside the lending
 * period: each default is LendLab's original rule, so nothing changes until they are set.
 * The movement rules themselves are in deposits/movement-rules.ts, the tiers' switch in
 * loyalty.service.ts, the warnings in risk/margin-warnings.ts.
 */
export interface PlatformRuleSettings {
  /** A top-up moves the whole position's maturity (true), or keeps its first deposit's (false). */
  topUpResetsMaturity: boolean;
  /** Only the whole matured position may be withdrawn (true), or any amount up to it (false). */
  wholePositionWithdrawals: boolean;
  /** Loyalty tiers are assigned at 00:00 (true), or every account is kept in base (false). */
  loyaltyTiers: boolean;
  /** Extra LTV levels, ascending, each in (0, 1): a margin_call_warning once per crossing of each. */
  marginCallWarnings: Decimal[];
}

export type PlatformRulesPatch = Partial<Omit<PlatformRuleSettings, 'marginCallWarnings'> & { marginCallWarnings: string[] }>;

/** At most this many warning levels (Nexo has three). */
export const MAX_WARNING_LEVELS = 10;
/** A level as the column stores it: NUMERIC(10, 8) in account_risk, so at most 8 decimals. */
const LEVEL = /^0\.[0-9]{1,8}$/;

/** The rules as stored (settings row, Prisma's camel-case fields). */
export function platformRulesOf(row: {
  topUpResetsMaturity: boolean;
  wholePositionWithdrawals: boolean;
  loyaltyTiers: boolean;
  marginCallWarnings: unknown;
}): PlatformRuleSettings {
  return {
    topUpResetsMaturity: row.topUpResetsMaturity,
    wholePositionWithdrawals: row.wholePositionWithdrawals,
    loyaltyTiers: row.loyaltyTiers,
    marginCallWarnings: (row.marginCallWarnings as string[]).map((level) => dec(level)),
  };
}

/** The levels checked and parsed (400 VALIDATION_FAILED naming the field), or undefined when not sent. */
export function parseWarningLevels(levels: string[] | undefined): Decimal[] | undefined {
  if (levels === undefined) return undefined;
  const problem = (what: string) => invalidField('marginCallWarnings', what);
  if (levels.length > MAX_WARNING_LEVELS) throw problem(`must list at most ${MAX_WARNING_LEVELS} levels`);
  const parsed = levels.map((level) => {
    if (!LEVEL.test(level) || dec(level).isZero()) throw problem('must be decimal strings above 0 and below 1 with at most 8 decimals, such as "0.714"');
    return dec(level);
  });
  if (parsed.some((level, i) => i > 0 && !level.gt(parsed[i - 1]))) throw problem('must be strictly ascending');
  return parsed;
}

/** The rules as GET /v1/settings shows them: levels as decimal strings, exactly as stored. */
export function platformRulesView(rules: PlatformRuleSettings) {
  return {
    topUpResetsMaturity: rules.topUpResetsMaturity,
    wholePositionWithdrawals: rules.wholePositionWithdrawals,
    loyaltyTiers: rules.loyaltyTiers,
    marginCallWarnings: rules.marginCallWarnings.map((level) => level.toFixed()),
  };
}
