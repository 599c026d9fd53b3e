import { DomainError } from './domain-error.js';

/**
 * The domain's own error codes, in one place: code, HTTP status and message as the contract
 * states them (/work/shared/api-contract.md, Errors). The generic ones (VALIDATION_FAILED,
 * NOT_FOUND) are beside DomainError in domain-error.ts. Codes still defined where they are thrown
 * (to be moved here): INSUFFICIENT_LIQUIDITY, NO_POSITION, POSITION_LOCKED,
 * PARTIAL_WITHDRAWAL_NOT_ALLOWED (deposits); PRICE_UNAVAILABLE, LOAN_REPAID, AMOUNT_EXCEEDS_DEBT
 * (loans); LTV_LIMIT_EXCEEDED (risk/ltv-errors.ts); IDEMPOTENCY_KEY_REUSED (common/idempotency);
 * UNAUTHENTICATED, FORBIDDEN, RATE_LIMITED (common/auth); CLOCK_NOT_SIMULATED (clock).
 */

// Assets: what a request may name (common/money).

/** 400: the code is not one of the listed assets (codes are upper-case, exactly). */
export const unknownAsset = (code: unknown, assets: readonly string[]) =>
  new DomainError(400, 'UNKNOWN_ASSET', `Unknown asset; listed assets are ${assets.join(', ')}`, {
    asset: typeof code === 'string' ? code.slice(0, 50) : null,
    assets,
  });

/** 400: the asset does not arrive on that network. */
export const unsupportedNetwork = (asset: string, network: string, networks: readonly string[]) =>
  new DomainError(400, 'UNSUPPORTED_NETWORK', `${asset} cannot arrive on ${network.slice(0, 40)}; use ${networks.join(' or ')}`, {
    asset,
    network: network.slice(0, 40),
    networks,
  });

// Accounts.

/** 403: money moves only for a user whose KYC is approved. */
export const kycRequired = (kycStatus: string) =>
  new DomainError(403, 'KYC_REQUIRED', `KYC is ${kycStatus}; it must be approved before money can move`, { kycStatus });

// Scenarios (POST /v1/scenarios).

/** 422: the scenario file has problems; details.problems lists them. */
export const invalidScenario = (problems: readonly unknown[]) =>
  new DomainError(422, 'INVALID_SCENARIO', `The scenario has ${problems.length} problem(s)`, { problems });
