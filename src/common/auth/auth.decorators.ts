import { SetMetadata, applyDecorators, createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { ACCESS_EXTENSION } from '../http/api-docs.js';
import type { Caller } from './caller.js';

export const ACCESS_KEY = 'lendlab:access';
export type Access = 'public' | 'admin';

/** No API key needed (health, docs). */
export const Public = () => applyDecorators(SetMetadata(ACCESS_KEY, 'public' satisfies Access), ApiExtension(ACCESS_EXTENSION, 'public'));
/** Only the admin key; a user key gets 403 FORBIDDEN. */
export const AdminOnly = () => applyDecorators(SetMetadata(ACCESS_KEY, 'admin' satisfies Access), ApiExtension(ACCESS_EXTENSION, 'admin'));

export const KEY_CHECKED_BY_MOVEMENT = 'lendlab:key-checked-by-movement';

/**
 * The route's money movement checks the caller's key in its own transaction (runMovement), so
 * the guard may take a key it has seen live from its cache (api-key-cache.ts) instead of a
 * round trip; DeferredKeyCheck re-reads the key before any error answer.
 */
export const KeyCheckedByMovement = () => SetMetadata(KEY_CHECKED_BY_MOVEMENT, true);

/** The authenticated caller of the current request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest().caller as Caller;
});
