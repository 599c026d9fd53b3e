import { Decimal } from '../common/money/decimal.js';
import { DomainError } from '../common/errors/domain-error.js';
import { showRate } from '../calc/compounding.js';

/** 409 LTV_LIMIT_EXCEEDED with the account's limit and the LTV the action would reach. */
export function ltvLimitExceeded(limit: Decimal, ltv: Decimal | null, action: string): DomainError {
  const reached = ltv ? showRate(ltv) : null;
  return new DomainError(
    409,
    'LTV_LIMIT_EXCEEDED',
    reached
      ? `${action[0].toUpperCase()}${action.slice(1)} would take the account's LTV to ${reached}, past its limit of ${showRate(limit)}`
      : `${action[0].toUpperCase()}${action.slice(1)} would leave debt without collateral`,
    { limit: showRate(limit), ltv: reached },
  );
}
