import { ArgumentsHost, Catch, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ErrorFilter } from '../errors/error.filter.js';
import { AuthGuard } from './auth.guard.js';
import type { Caller } from './caller.js';

/**
 * For a caller whose key the guard took from its cache (Caller.deferred): an error answer is
 * given only after the key has been read again, so that a revoked key gets its 401 (or 429)
 * and never a 400/404/409 that would tell it anything. A success needs no re-read: it came
 * from a movement, whose transaction checked the key (movement-statements.ts).
 *
 * Why a filter and not an interceptor: every error answer passes here anyway, and a global
 * interceptor wraps every request of every route in Nest's Observable pipeline to act on the
 * rare error (removing it cut the API's CPU per deposit by about a quarter: 3.19 -> 2.28 ms).
 */
@Catch()
@Injectable()
export class DeferredKeyCheck extends ErrorFilter {
  constructor(private readonly guard: AuthGuard) {
    super();
  }

  override catch(error: unknown, host: ArgumentsHost): void {
    const request = host.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const caller = request.caller;
    if (caller?.kind !== 'user' || !caller.deferred) return super.catch(error, host);
    // The key's own failure (401, 429, or the database gone) is the answer in place of the error.
    // Should the answer itself fail (the client gone), Express's own error handler ends the request.
    this.guard
      .recheck(request)
      .then(
        () => super.catch(error, host),
        (refused: unknown) => super.catch(refused, host),
      )
      .catch((failed: unknown) => host.switchToHttp().getNext<(error: unknown) => void>()(failed));
  }
}
