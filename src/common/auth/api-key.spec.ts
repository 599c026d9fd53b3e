import { describe, expect, it, jest } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as realCrypto from 'node:crypto';

// node:crypto with timingSafeEqual watched, so the test sees what the compare hands it.
const timingSafeEqual = jest.fn(realCrypto.timingSafeEqual);
jest.unstable_mockModule('node:crypto', () => ({ ...realCrypto, default: realCrypto, timingSafeEqual }));
const { generateApiKey, hashApiKey, sameKey, displayPrefix } = await import('./api-key.js');
const { AuthFailureCounter } = await import('./auth-failures.js');

describe('API keys', () => {
  it('are random, prefixed, and hashed to a SHA-256 hex digest that does not contain them', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a).toMatch(/^ll_[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
    expect(hashApiKey(a)).toBe(realCrypto.createHash('sha256').update(a).digest('hex'));
    expect(hashApiKey(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(a)).not.toContain(a.slice(3, 12));
    expect(displayPrefix(a).length).toBeLessThanOrEqual(10);
  });

  it('compare equal keys as equal and every other key as different, whatever its length', () => {
    const key = generateApiKey();
    expect(sameKey(key, key)).toBe(true);
    expect(sameKey(key, `${key}`.slice(0))).toBe(true);
    for (const other of ['', 'l', key.slice(0, -1), `${key}x`, key.toUpperCase(), generateApiKey(), 'x'.repeat(10_000), '\u00e9'.repeat(40)]) {
      expect({ other: other.slice(0, 20), same: sameKey(key, other) }).toEqual({ other: other.slice(0, 20), same: false });
    }
  });

  it('compare with crypto.timingSafeEqual on two equal-length digests, never on the keys themselves', () => {
    timingSafeEqual.mockClear();
    const key = generateApiKey();
    for (const other of [key, 'short', 'x'.repeat(1000)]) {
      sameKey(key, other);
    }
    expect(timingSafeEqual).toHaveBeenCalledTimes(3);
    for (const [a, b] of timingSafeEqual.mock.calls as unknown as [Buffer, Buffer][]) {
      expect([a.length, b.length]).toEqual([32, 32]); // SHA-256 digests
      expect(a.toString('utf8')).not.toContain(key);
    }
    // The guard compares the admin key with sameKey and looks user keys up by their hash only.
    const guard = readFileSync(new URL('./auth.guard.ts', import.meta.url), 'utf8');
    expect(guard).toMatch(/sameKey\(key, this\.config\.adminApiKey\)/);
    expect(guard).toMatch(/const keyHash = hashApiKey\(key\);/);
    expect(guard).toMatch(/WHERE key_hash = \$1',\s*values: \[keyHash\]/);
    // Its cache (api-key-cache.ts) is keyed by the hash too: no raw key is kept in memory.
    expect(guard).toMatch(/this\.cache\.get\(keyHash\)/);
    expect(guard).not.toMatch(/(===|!==|==)\s*this\.config\.adminApiKey|adminApiKey\s*(===|!==|==)/);
  });
});

describe('AuthFailureCounter', () => {
  it('lets N failures through per address, refuses the next until the window ends, and counts addresses apart', () => {
    let now = 1_000_000;
    const spy = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const counter = new AuthFailureCounter(3, 60_000);
      expect([1, 2, 3, 4, 5].map(() => counter.fail('10.0.0.1'))).toEqual([false, false, false, true, true]);
      expect(counter.fail('10.0.0.2')).toBe(false);
      now += 59_999;
      expect(counter.fail('10.0.0.1')).toBe(true);
      now += 1;
      expect(counter.fail('10.0.0.1')).toBe(false);
    } finally {
      spy.mockRestore();
    }
  });
});
