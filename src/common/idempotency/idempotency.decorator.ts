import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Caller } from '../auth/caller.js';
import type { IdempotentRequest } from './idempotency.service.js';

/** The caller, the `Idempotency-Key` header and the request's fingerprint, for IdempotencyService.run. */
export const Idempotent = createParamDecorator((_: unknown, context: ExecutionContext): IdempotentRequest => {
  const request = context.switchToHttp().getRequest<Request & { caller: Caller }>();
  const header = request.headers['idempotency-key'];
  return {
    caller: request.caller,
    key: Array.isArray(header) ? header[0] : header,
    fingerprint: { method: request.method, path: request.path, body: request.body ?? null },
  };
});
