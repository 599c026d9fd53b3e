import { Decimal } from '../common/money/decimal.js';
import { roundOwedToUser } from '../common/money/rounding.js';

/** A position row as the deposit and withdrawal paths read it (numerics as text). */
export interface PositionRow {
  id: string;
  account_id: string;
  asset: string;
  scaled: string;
  principal: string;
  matures_at: Date;
}

export interface PositionView {
  asset: string;
  amount: string;
  principal: string;
  interestEarned: string;
  maturesAt: string;
  matured: boolean;
}

/** What the position is worth at `supplyIndex`: rounded down, the platform's way (see rounding.ts). */
export function positionAmount(scaled: Decimal, supplyIndex: Decimal, decimals: number): Decimal {
  return roundOwedToUser(scaled.times(supplyIndex), decimals);
}

/** How a position is shown, wherever it is shown. Interest earned is never below zero. */
export function positionView(
  position: { asset: string; amount: Decimal; principal: Decimal; maturesAt: Date },
  decimals: number,
  now: Date,
): PositionView {
  return {
    asset: position.asset,
    amount: position.amount.toFixed(decimals),
    principal: position.principal.toFixed(decimals),
    interestEarned: Decimal.max(position.amount.minus(position.principal), 0).toFixed(decimals),
    maturesAt: position.maturesAt.toISOString(),
    matured: position.maturesAt.getTime() <= now.getTime(),
  };
}
