/**
 * The one error type domain code throws. Every 4xx/5xx body has this shape
 * (api-contract, Conventions): `{ statusCode, code, message, details }`.
 */
export class DomainError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }

  toBody(): ErrorBody {
    return { statusCode: this.statusCode, code: this.code, message: this.message, details: this.details };
  }
}

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export const validationFailed = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError(400, 'VALIDATION_FAILED', message, details);

/** A field-level validation failure, in the same `details.fields` shape the validation pipe uses. */
export const invalidField = (field: string, problem: string) =>
  validationFailed(`${field} ${problem}`, { fields: { [field]: [`${field} ${problem}`] } });

export const notFound = (what: string) => new DomainError(404, 'NOT_FOUND', `${what} not found`);
