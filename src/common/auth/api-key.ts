import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'll_';

/** A new API key: shown to its owner once, stored only as its SHA-256. */
export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(24).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A short, non-secret prefix that lets a person tell their keys apart. */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}

/** Compares two keys by their hashes in constant time, so timing tells nothing about either. */
export function sameKey(a: string, b: string): boolean {
  return timingSafeEqual(Buffer.from(hashApiKey(a), 'hex'), Buffer.from(hashApiKey(b), 'hex'));
}
