import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { APP_CONFIG } from '../../config/config.module.js';
import type { AppConfig } from '../../config/app-config.js';
import { PrismaService } from '../../prisma/prisma.service.js';
import { ACCESS_KEY, Access, KEY_CHECKED_BY_MOVEMENT } from './auth.decorators.js';
import { ApiKeyCache } from './api-key-cache.js';
import { AuthFailureCounter } from './auth-failures.js';
import { hashApiKey, sameKey } from './api-key.js';
import type { Caller } from './caller.js';
import { forbidden, rateLimited, unauthenticated } from '../errors/catalogue.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,256})$/;

/** Every route needs a key unless marked @Public(); admin routes are marked @AdminOnly(). */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: AuthFailureCounter;

  constructor(
    private readonly reflector: Reflector,
    private readonly prisma: PrismaService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: ApiKeyCache,
  ) {
    this.failures = new AuthFailureCounter(config.authFailureLimit, config.authFailureWindowSeconds * 1000);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_KEY, [context.getHandler(), context.getClass()]);
    if (access === 'public') return true;
    const request = context.switchToHttp().getRequest<Request & { caller?: Caller }>();
    const checkedByMovement = this.reflector.get<boolean | undefined>(KEY_CHECKED_BY_MOVEMENT, context.getHandler()) === true;
    const caller = await this.identify(request.headers.authorization, checkedByMovement);
    if (!caller) this.refuse(request);
    if (access === 'admin' && caller.kind !== 'admin') {
      throw forbidden();
    }
    request.caller = caller;
    return true;
  }

  /**
   * A deferred caller's request ended in an error (DeferredKeyCheck): reads its key now, and
   * answers 401 (or 429) instead if the key is no longer valid.
   */
  async recheck(request: Request & { caller?: Caller }): Promise<void> {
    const caller = await this.identify(request.headers.authorization, false);
    if (!caller) this.refuse(request);
  }

  private refuse(request: Request): never {
    if (this.failures.fail(request.ip ?? 'unknown')) {
      throw rateLimited();
    }
    throw unauthenticated();
  }

  /** `mayDefer`: a key this process has seen live is taken from the cache (ApiKeyCache says why that is safe). */
  private async identify(header: string | undefined, mayDefer: boolean): Promise<Caller | undefined> {
    const key = header ? BEARER.exec(header)?.[1] : undefined;
    if (!key) return undefined;
    if (sameKey(key, this.config.adminApiKey)) return { kind: 'admin' };
    const keyHash = hashApiKey(key);
    const cached = mayDefer ? this.cache.get(keyHash) : undefined;
    if (cached) return { kind: 'user', userId: cached.userId, apiKeyId: cached.id, keyHash, deferred: true };
    // Otherwise read on every request: one statement through the pg driver, a third of
    // Prisma's client-side cost per statement.
    const { rows } = await this.prisma.pool.query<{ id: string; user_id: string; revoked: boolean }>({
      name: 'api-key-by-hash',
      text: 'SELECT id, user_id, revoked_at IS NOT NULL AS revoked FROM api_keys WHERE key_hash = $1',
      values: [keyHash],
    });
    const stored = rows[0];
    if (!stored || stored.revoked) {
      this.cache.forget(keyHash);
      return undefined;
    }
    this.cache.remember(keyHash, { id: stored.id, userId: stored.user_id });
    return { kind: 'user', userId: stored.user_id, apiKeyId: stored.id, keyHash };
  }
}
