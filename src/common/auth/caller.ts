/** Who is calling: the sandbox's admin, or a user through one of their API keys. */
export type Caller = { kind: 'admin' } | { kind: 'user'; userId: string; apiKeyId: string };

/** The scope idempotency keys live in: one per API key, so two callers never collide. */
export function idempotencyScope(caller: Caller): string {
  return caller.kind === 'admin' ? 'admin' : caller.apiKeyId;
}
