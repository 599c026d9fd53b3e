/**
 * Who is calling: the sandbox's admin, or a user through one of their API keys.
 *
 * `keyHash` is the key's SHA-256 (api-key.ts). `deferred`: the guard took the key from its cache
 * (api-key-cache.ts) without reading the database; the route's money movement checks it in its
 * own transaction and any error answer re-checks it (DeferredKeyCheck), so a revoked key is
 * still refused at once.
 */
export type Caller = { kind: 'admin' } | { kind: 'user'; userId: string; apiKeyId: string; keyHash: string; deferred?: true };

/** The scope idempotency keys live in: one per API key, so two callers never collide. */
export function idempotencyScope(caller: Caller): string {
  return caller.kind === 'admin' ? 'admin' : caller.apiKeyId;
}
