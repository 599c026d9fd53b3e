import { Decimal, ONE } from '../common/money/decimal.js';

/**
 * APR, APY and growth under any compounding frequency: one implementation for the
 * calculators and for every APY the markets show (api-contract, Calculators).
 *   APY = (1 + APR/n)^n − 1, or e^APR − 1 when continuous
 *   APR = n × ((1 + APY)^(1/n) − 1), or ln(1 + APY) when continuous
 *   growth: P × (1 + APR/n)^(n × days/365), or P × e^(APR × days/365)
 * Computed with 64 significant digits; callers show at least 15.
 */
export const NAMED_FREQUENCIES: Record<string, number> = {
  annual: 1,
  semiannual: 2,
  quarterly: 4,
  monthly: 12,
  weekly: 52,
  daily: 365,
  hourly: 8760,
};

export const MAX_PERIODS_PER_YEAR = 1_000_000;

export type Compounding = { name: string; periodsPerYear: number | null };

/** `daily`, `continuous`, or a whole number of periods per year from 1 to 1,000,000; undefined otherwise. */
export function parseCompounding(raw: string): Compounding | undefined {
  if (raw === 'continuous') return { name: raw, periodsPerYear: null };
  // Own keys only: `in` also finds `__proto__`, `constructor`, `toString`... of every object.
  if (Object.hasOwn(NAMED_FREQUENCIES, raw)) return { name: raw, periodsPerYear: NAMED_FREQUENCIES[raw] };
  if (/^[1-9][0-9]{0,6}$/.test(raw) && Number(raw) <= MAX_PERIODS_PER_YEAR) return { name: raw, periodsPerYear: Number(raw) };
  return undefined;
}

export function apyFromApr(apr: Decimal, periodsPerYear: number | null): Decimal {
  if (periodsPerYear === null) return apr.exp().minus(ONE);
  return ONE.plus(apr.div(periodsPerYear)).pow(periodsPerYear).minus(ONE);
}

export function aprFromApy(apy: Decimal, periodsPerYear: number | null): Decimal {
  if (periodsPerYear === null) return ONE.plus(apy).ln();
  return ONE.plus(apy).pow(ONE.div(periodsPerYear)).minus(ONE).times(periodsPerYear);
}

export function growth(principal: Decimal, apr: Decimal, periodsPerYear: number | null, days: number): Decimal {
  if (periodsPerYear === null) return principal.times(apr.times(days).div(365).exp());
  return principal.times(ONE.plus(apr.div(periodsPerYear)).pow(new Decimal(periodsPerYear).times(days).div(365)));
}

/** Fisher: exact (1 + n)/(1 + i) − 1, and the usual approximation n − i. */
export function realRate(nominal: Decimal, inflation: Decimal): { exact: Decimal; approximate: Decimal } {
  return { exact: ONE.plus(nominal).div(ONE.plus(inflation)).minus(ONE), approximate: nominal.minus(inflation) };
}

/** How results are shown: 30 significant digits, plain notation. */
export function showRate(value: Decimal): string {
  return value.toSignificantDigits(30).toFixed();
}
