import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorBody } from './domain-error.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

/** How long a client is asked to wait before sending a request again while the database is away. */
const RETRY_AFTER_SECONDS = 1;

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** Turns anything thrown into the contract's error body, so no caller ever sees another shape. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) return error.toBody();
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response && 'message' in response
        ? String((response as { message: unknown }).message)
        : error.message;
    return { statusCode: status, code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'), message, details: {} };
  }
  if (isDatabaseUnavailable(error)) {
    return {
      statusCode: 503,
      code: 'SERVICE_UNAVAILABLE',
      message:
        'The database cannot be reached right now. Send the request again shortly: a money movement with an Idempotency-Key is then applied at most once; without one, check the account first',
      details: { retryAfterSeconds: RETRY_AFTER_SECONDS },
    };
  }
  return { statusCode: 500, code: 'INTERNAL', message: 'Internal error', details: {} };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(error: unknown, host: ArgumentsHost): void {
    const body = toErrorBody(error);
    if (body.statusCode >= 500) this.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    const response = host.switchToHttp().getResponse<Response>();
    if (body.code === 'SERVICE_UNAVAILABLE') response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.statusCode).json(body);
  }
}
