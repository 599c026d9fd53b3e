import { Decimal } from './decimal.js';

/** The only shape an amount may arrive in (api-contract, Conventions): no sign, no exponent. */
export const AMOUNT_PATTERN = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** How an amount field is described in the OpenAPI document (the grammar; decimals and limits are checked too). */
export const AMOUNT_DOC = {
  pattern: AMOUNT_PATTERN.source,
  maxLength: 64,
  description: 'A decimal string greater than 0, with at most the asset’s decimals, below 10^15',
};
export const AMOUNT_LIMIT = new Decimal('1e15');
export const PRICE_DECIMALS = 18;

export type AmountProblem = 'format' | 'not_positive' | 'too_many_decimals' | 'too_large';

const PROBLEM_TEXT: Record<AmountProblem, (decimals: number) => string> = {
  format: () => 'must be a plain decimal string such as "1.5"',
  not_positive: () => 'must be greater than zero',
  too_many_decimals: (decimals) => `must have at most ${decimals} decimal places`,
  too_large: () => 'must be below 10^15',
};

/** Checks a client-supplied amount; returns the decimal or the reason it is refused. */
export function checkAmount(
  raw: unknown,
  decimals: number,
): { ok: true; value: Decimal } | { ok: false; problem: AmountProblem; message: string } {
  const refuse = (problem: AmountProblem) => ({ ok: false as const, problem, message: PROBLEM_TEXT[problem](decimals) });
  if (typeof raw !== 'string' || raw.length > 64 || !AMOUNT_PATTERN.test(raw)) return refuse('format');
  const value = new Decimal(raw);
  if (value.lte(0)) return refuse('not_positive');
  const fraction = raw.split('.')[1] ?? '';
  if (fraction.length > decimals) return refuse('too_many_decimals');
  if (value.gte(AMOUNT_LIMIT)) return refuse('too_large');
  return { ok: true, value };
}
