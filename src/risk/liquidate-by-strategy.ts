import type { AccountSnapshot } from '../holdings/account-snapshot.service.js';
import { liquidateByAbsorb } from './absorb-liquidation.js';
import { liquidateByCloseFactor } from './close-factor-liquidation.js';
import type { LiquidationBatch, StrategyRules } from './liquidation-batch.js';

/** Liquidates one account of the batch by the configured strategy (issue 16); restore without rules. */
export function liquidateByStrategy(batch: LiquidationBatch, snapshot: AccountSnapshot, rules: StrategyRules | undefined): void {
  const strategy = rules?.settings.liquidationStrategy ?? 'restore';
  if (strategy === 'close-factor') return liquidateByCloseFactor(batch, snapshot, rules!);
  if (strategy === 'absorb') return liquidateByAbsorb(batch, snapshot, rules!);
  batch.liquidate(snapshot);
}
