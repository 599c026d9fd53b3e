import { DomainError } from './domain-error.js';

/** An amount as the messages show it (a decimal.js Decimal; named by shape, since common/money uses this catalogue). */
interface Amount {
  toFixed(decimals?: number): string;
}

/**
 * The domain's own error codes, in one place: code, HTTP status and message as the contract
 * states them (/work/shared/api-contract.md, Errors). The generic ones (VALIDATION_FAILED,
 * NOT_FOUND) are beside DomainError in domain-error.ts. LTV_LIMIT_EXCEEDED is in
 * holdings/ltv-errors.ts, since its message shows rates as the calculators do.
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

// Presets (src/presets).

/** 404: no preset of that name; details.presets lists the known ones. */
export const unknownPreset = (name: string, presets: readonly string[]) =>
  new DomainError(404, 'UNKNOWN_PRESET', `Unknown preset "${name.slice(0, 40)}"; known presets are ${presets.join(', ')}`, { preset: name.slice(0, 40), presets });

// Access (common/auth).

/** 401: no key, or one that is unknown or revoked. */
export const unauthenticated = () => new DomainError(401, 'UNAUTHENTICATED', 'A valid API key is required: Authorization: Bearer <key>');

/** 403: a user's key on an admin-only endpoint. */
export const forbidden = () => new DomainError(403, 'FORBIDDEN', 'This endpoint needs the admin key');

/** 429: too many failed authentications from one address. */
export const rateLimited = () => new DomainError(429, 'RATE_LIMITED', 'Too many failed authentications; wait a minute and try again');

// Idempotency (common/idempotency).

/** 422: the key was first used with another request. */
export const idempotencyKeyReused = (idempotencyKey: string) =>
  new DomainError(422, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request', { idempotencyKey });

// Clock.

/** 409: the clock follows real time. */
export const clockNotSimulated = () => new DomainError(409, 'CLOCK_NOT_SIMULATED', 'The clock follows real time; it cannot be advanced');

// Deposits and withdrawals.

/** 404: nothing to withdraw in that asset. */
export const noPosition = (asset: string) => new DomainError(404, 'NO_POSITION', `This account has no ${asset} position`, { asset });

/** 409: before maturity nothing can be withdrawn. */
export const positionLocked = (asset: string, maturesAt: Date) =>
  new DomainError(409, 'POSITION_LOCKED', `The ${asset} position is locked until ${maturesAt.toISOString()}`, {
    asset,
    maturesAt: maturesAt.toISOString(),
  });

/** 422: only the whole position can be withdrawn. */
export const partialWithdrawalNotAllowed = (asset: string, requested: Amount, wholePosition: Amount, decimals: number) =>
  new DomainError(422, 'PARTIAL_WITHDRAWAL_NOT_ALLOWED', `Only the whole position can be withdrawn: ${wholePosition.toFixed(decimals)} ${asset}`, {
    asset,
    requested: requested.toFixed(),
    wholePosition: wholePosition.toFixed(decimals),
  });

/** 422: a partial withdrawal (allowed by the platform rules) larger than the position. */
export const amountExceedsPosition = (asset: string, wholePosition: Amount, requested: Amount, decimals: number) =>
  new DomainError(422, 'AMOUNT_EXCEEDS_POSITION', `The ${asset} position holds only ${wholePosition.toFixed(decimals)} ${asset}`, {
    asset,
    requested: requested.toFixed(),
    wholePosition: wholePosition.toFixed(decimals),
  });

/** 409: the market's cash cannot pay this out now (the rest is lent out). */
export const insufficientLiquidity = (asset: string, available: Amount, needed: Amount, decimals: number) =>
  new DomainError(409, 'INSUFFICIENT_LIQUIDITY', `The ${asset} market holds ${available.toFixed(decimals)} in cash; ${needed.toFixed(decimals)} is needed`, {
    asset,
    available: available.toFixed(decimals),
    needed: needed.toFixed(decimals),
  });

// Loans.

/** 409: a loan's asset needs a price before it can be lent. */
export const priceUnavailable = (asset: string) => new DomainError(409, 'PRICE_UNAVAILABLE', `No price has been set for ${asset}`, { asset });

/** 409: nothing is left to repay. */
export const loanRepaid = (loanId: string) => new DomainError(409, 'LOAN_REPAID', 'This loan is already repaid', { loanId });

/** 422: a repayment larger than the debt. */
export const amountExceedsDebt = (asset: string, outstanding: Amount, requested: Amount, decimals: number) =>
  new DomainError(422, 'AMOUNT_EXCEEDS_DEBT', `Only ${outstanding.toFixed(decimals)} ${asset} is outstanding`, {
    outstanding: outstanding.toFixed(decimals),
    requested: requested.toFixed(),
  });
