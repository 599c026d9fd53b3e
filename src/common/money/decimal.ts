import { Decimal as DecimalJs } from 'decimal.js';

/**
 * decimal.js with room for money: the default 20 significant digits would silently drop the
 * fraction of a large amount (stack-notes). 64 digits hold any amount below 10^15 at 18
 * decimals times an index with 30 decimals, exactly. Intermediate results round half-even;
 * every rounding that decides who gets a fraction is explicit (see ./rounding.ts).
 */
export const Decimal = DecimalJs.clone({
  precision: 64,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -64,
  toExpPos: 64,
});
export type Decimal = InstanceType<typeof Decimal>;
export type DecimalInput = Decimal | string | { toString(): string };

/** Builds a decimal from a string or another decimal library's value, never via a JS number. */
export function dec(value: DecimalInput): Decimal {
  if (value instanceof Decimal) return value;
  return new Decimal(value.toString());
}

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);
