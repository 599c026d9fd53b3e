import { Decimal, dec } from '../common/money/decimal.js';
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

export function positionView(row: PositionRow, supplyIndex: Decimal, decimals: number, now: Date): PositionView {
  const amount = positionAmount(dec(row.scaled), supplyIndex, decimals);
  const principal = dec(row.principal);
  return {
    asset: row.asset,
    amount: amount.toFixed(decimals),
    principal: principal.toFixed(decimals),
    interestEarned: Decimal.max(amount.minus(principal), 0).toFixed(decimals),
    maturesAt: row.matures_at.toISOString(),
    matured: row.matures_at.getTime() <= now.getTime(),
  };
}
