import { describe, expect, it } from '@jest/globals';
import { fingerprintHash } from './idempotency.service.js';

describe('request fingerprint', () => {
  it('is the same for the same body written in another key order', () => {
    expect(fingerprintHash({ path: '/x', body: { a: '1', b: { c: 2, d: [1, 2] } } })).toBe(
      fingerprintHash({ body: { b: { d: [1, 2], c: 2 }, a: '1' }, path: '/x' }),
    );
  });

  it('differs when a value, an array order or the path differs', () => {
    const base = fingerprintHash({ path: '/x', body: { amount: '1' } });
    expect(fingerprintHash({ path: '/x', body: { amount: '1.0' } })).not.toBe(base);
    expect(fingerprintHash({ path: '/y', body: { amount: '1' } })).not.toBe(base);
    expect(fingerprintHash({ path: '/x', body: [1, 2] })).not.toBe(fingerprintHash({ path: '/x', body: [2, 1] }));
  });
});
