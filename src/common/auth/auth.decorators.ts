import { SetMetadata, createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Caller } from './caller.js';

export const ACCESS_KEY = 'lendlab:access';
export type Access = 'public' | 'admin';

/** No API key needed (health, docs). */
export const Public = () => SetMetadata(ACCESS_KEY, 'public' satisfies Access);
/** Only the admin key; a user key gets 403 FORBIDDEN. */
export const AdminOnly = () => SetMetadata(ACCESS_KEY, 'admin' satisfies Access);

/** The authenticated caller of the current request. */
export const CurrentCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => {
  return context.switchToHttp().getRequest().caller as Caller;
});
