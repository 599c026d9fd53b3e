import { describe, expect, it } from '@jest/globals';
import { Decimal, dec } from '../common/money/decimal.js';
import { findAsset } from '../common/money/assets.js';
import { DomainError } from '../common/errors/domain-error.js';
import { maturityAfterDeposit, withdrawalOf } from './movement-rules.js';

const USDC = findAsset('USDC')!;
const now = new Date('2026-01-05T12:00:00.000Z');
const rules = (over: Partial<{ lendingPeriodDays: number; topUpResetsMaturity: boolean; wholePositionWithdrawals: boolean }> = {}) => ({
  lendingPeriodDays: 7,
  topUpResetsMaturity: true,
  wholePositionWithdrawals: true,
  ...over,
});
const codeOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'no error';
};

describe('maturity after a deposit', () => {
  const open = { scaled: dec('10'), maturesAt: new Date('2026-01-08T00:00:00.000Z') };
  it('moves the whole position by default, keeps it when top-ups do not reset it', () => {
    expect(maturityAfterDeposit(open, now, rules()).toISOString()).toBe('2026-01-12T12:00:00.000Z');
    expect(maturityAfterDeposit(open, now, rules({ topUpResetsMaturity: false })).toISOString()).toBe('2026-01-08T00:00:00.000Z');
  });
  it('opens a closed or absent position anew, and matures at once without a lock', () => {
    const closed = { ...open, scaled: dec(0) };
    expect(maturityAfterDeposit(closed, now, rules({ topUpResetsMaturity: false })).toISOString()).toBe('2026-01-12T12:00:00.000Z');
    expect(maturityAfterDeposit(undefined, now, rules({ topUpResetsMaturity: false, lendingPeriodDays: 0 })).getTime()).toBe(now.getTime());
  });
});

describe('a withdrawal', () => {
  // 1000 deposited at index 1 (scaled 1000), now at index 1.000123456789: worth 1000.123456 (rounded down).
  const index = dec('1.000123456789');
  const position = { scaled: dec(1000), principal: dec(1000), maturesAt: new Date('2026-01-01T00:00:00.000Z') };

  it('is the whole position without an amount, or with exactly it', () => {
    for (const requested of [undefined, dec('1000.123456')]) {
      const w = withdrawalOf(USDC, position, index, now, requested, rules());
      expect(w).toMatchObject({ whole: true, payout: dec('1000.123456') });
      expect(w.scaled.eq(1000) && w.principal.eq(1000)).toBe(true);
    }
  });

  it('takes part of it when allowed: units rounded up, the same share of principal rounded down', () => {
    const w = withdrawalOf(USDC, position, index, now, dec(400), rules({ wholePositionWithdrawals: false }));
    const units = dec(400).div(index).toDecimalPlaces(30, Decimal.ROUND_UP);
    expect(w.whole).toBe(false);
    expect(w.payout.toFixed()).toBe('400');
    expect(w.scaled.toFixed()).toBe(units.toFixed());
    expect(w.exact.gte(400)).toBe(true); // the units taken are worth at least what is paid
    expect(w.principal.toFixed()).toBe(dec(1000).times(units).div(1000).toDecimalPlaces(6, Decimal.ROUND_DOWN).toFixed());
    // What stays plus what is paid never exceeds the position's value.
    expect(dec(1000).minus(w.scaled).times(index).plus(400).lte(dec(1000).times(index))).toBe(true);
  });

  it('refuses, in the contract’s order: no position, locked, part while only whole, more than the position', () => {
    expect(codeOf(() => withdrawalOf(USDC, undefined, index, now, undefined, rules()))).toBe('NO_POSITION');
    expect(codeOf(() => withdrawalOf(USDC, { ...position, maturesAt: new Date('2026-01-06T00:00:00.000Z') }, index, now, dec(1), rules()))).toBe('POSITION_LOCKED');
    expect(codeOf(() => withdrawalOf(USDC, position, index, now, dec(1), rules()))).toBe('PARTIAL_WITHDRAWAL_NOT_ALLOWED');
    expect(codeOf(() => withdrawalOf(USDC, position, index, now, dec('1000.123457'), rules({ wholePositionWithdrawals: false })))).toBe('AMOUNT_EXCEEDS_POSITION');
  });
});
