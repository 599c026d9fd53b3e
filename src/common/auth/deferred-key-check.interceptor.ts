import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { Observable, catchError, from, switchMap, throwError } from 'rxjs';
import { AuthGuard } from './auth.guard.js';
import type { Caller } from './caller.js';

/**
 * For a caller whose key the guard took from its cache (Caller.deferred): an error answer is
 * given only after the key has been read again, so that a revoked key gets its 401 (or 429)
 * and never a 400/404/409 that would tell it anything. A success needs no re-read: it came
 * from a movement, whose transaction checked the key (movement-statements.ts).
 */
@Injectable()
export class DeferredKeyCheck implements NestInterceptor {
  constructor(private readonly guard: AuthGuard) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const caller = request.caller;
    if (caller?.kind !== 'user' || !caller.deferred) return next.handle();
    return next.handle().pipe(catchError((error: unknown) => from(this.guard.recheck(request)).pipe(switchMap(() => throwError(() => error)))));
  }
}
