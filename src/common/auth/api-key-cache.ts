import { Injectable } from '@nestjs/common';

/** What never changes in a key's row: its id and its owner. */
export interface CachedKey {
  id: string;
  userId: string;
}

/**
 * Keys this process has seen live, by hash, so that a money movement's request does not spend a
 * round trip of its own reading api_keys (one of three per deposit).
 *
 * Why a revoked key is still refused at once on every process: the cache is only ever used on
 * routes marked @KeyCheckedByMovement(), whose movement reads the key (id, owner, hash, not
 * revoked) in the same message that begins its transaction (movement-statements.ts) and answers
 * 401 if it is gone; any other answer of those routes that is an error re-reads the key first
 * (DeferredKeyCheck), so a revoked key never gets a 400/404/409 instead of its 401. Every other
 * route reads the key from the database each time, as before. The cache holds no secret (hashes
 * and ids) and is bounded: when full it starts again.
 */
@Injectable()
export class ApiKeyCache {
  private static readonly LIMIT = 10_000;
  private readonly keys = new Map<string, CachedKey>();

  get(hash: string): CachedKey | undefined {
    return this.keys.get(hash);
  }

  remember(hash: string, key: CachedKey): void {
    if (this.keys.size >= ApiKeyCache.LIMIT) this.keys.clear();
    this.keys.set(hash, key);
  }

  forget(hash: string): void {
    this.keys.delete(hash);
  }
}
