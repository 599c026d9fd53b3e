import type { Tx } from '../prisma/prisma.service.js';
import { Decimal, ONE, dec } from '../common/money/decimal.js';
import { invalidField } from '../common/errors/domain-error.js';

/**
 * A market's terms for the close-factor and absorb liquidation strategies (issue 16; the restore
 * strategy reads none of them). Kept beside MarketState rather than in it: only the admin's
 * market view and the liquidation batch need them.
 *  - liquidationBonus (close-factor): the liquidator seizes repaid × (1 + bonus) of this collateral;
 *  - protocolFeeShare (close-factor): the platform's share of that bonus part, as revenue;
 *  - liquidationFactor (absorb): the share of this collateral's value credited against the debt.
 */
export interface LiquidationTerms {
  liquidationBonus: Decimal;
  protocolFeeShare: Decimal;
  liquidationFactor: Decimal;
}

/** Every market's terms, by asset. SQL on purpose: numerics as text, never through a float. */
export async function readLiquidationTerms(tx: Tx): Promise<Map<string, LiquidationTerms>> {
  const rows = await tx.$queryRaw<{ asset: string; liquidation_bonus: string; protocol_fee_share: string; liquidation_factor: string }[]>`
    SELECT asset, liquidation_bonus::text, protocol_fee_share::text, liquidation_factor::text FROM markets`;
  return new Map(
    rows.map((row) => [
      row.asset,
      { liquidationBonus: dec(row.liquidation_bonus), protocolFeeShare: dec(row.protocol_fee_share), liquidationFactor: dec(row.liquidation_factor) },
    ]),
  );
}

/** The terms' own bounds (400 VALIDATION_FAILED naming the field): bonus below 1, share at most 1, factor above 0 and at most 1. */
export function checkLiquidationTerms(terms: LiquidationTerms): void {
  if (terms.liquidationBonus.gte(ONE)) throw invalidField('risk.liquidationBonus', 'must be below 1');
  if (terms.protocolFeeShare.gt(ONE)) throw invalidField('risk.protocolFeeShare', 'must be at most 1');
  if (!(terms.liquidationFactor.gt(0) && terms.liquidationFactor.lte(ONE))) throw invalidField('risk.liquidationFactor', 'must be above 0 and at most 1');
}

export const termsView = (terms: LiquidationTerms) => ({
  liquidationBonus: terms.liquidationBonus.toFixed(),
  protocolFeeShare: terms.protocolFeeShare.toFixed(),
  liquidationFactor: terms.liquidationFactor.toFixed(),
});
