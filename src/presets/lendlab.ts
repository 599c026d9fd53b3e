import { MARKET_DEFAULTS } from '../markets/market-defaults.js';
import { assetRules, everyAsset, fig, type AssetRules, type Preset, type PresetAsset } from './preset.js';

/**
 * Today's engine defaults, as a preset: what every other preset is compared with. The figures
 * are read from the code itself (market-defaults.ts), so this preset cannot drift from it; the
 * platform rules are the settings' database defaults (prisma/migrations/20261124000000_foundation:
 * lending_period_days 7, liquidation_fee 0.05) and the product rules.
 */
export const LENDLAB_AS_OF = 'as of 2026-12-01 (LendLab main, commit 5f2f553)';
const CODE = `src/markets/market-defaults.ts, chosen in shared/reference/rate-and-risk-models.md "LendLab defaults"; ${LENDLAB_AS_OF}`;
const SETTINGS = `prisma/migrations/20261124000000_foundation (settings defaults); ${LENDLAB_AS_OF}`;
const RULES = `shared/reference/product-rules.md §2 (from seed 002, Backpack Japan); ${LENDLAB_AS_OF}`;

/** LendLab's own rules for one asset, from the engine's defaults. */
export function lendlabAsset(asset: PresetAsset, assumptions?: Parameters<typeof assetRules>[2]): AssetRules {
  return assetRules(MARKET_DEFAULTS[asset], { curve: CODE, risk: CODE }, assumptions);
}

export const LENDLAB: Preset = {
  name: 'lendlab',
  title: 'LendLab (the sandbox\u2019s own rules)',
  summary: 'Deposits are lent at once for 7 days; a loan past its liquidation level has just enough collateral sold, with a 5 % fee, to bring LTV back to the margin-call level.',
  assets: everyAsset(lendlabAsset),
  platform: {
    lendingPeriodDays: fig(7, SETTINGS),
    topUpResetsMaturity: fig(true, RULES),
    wholePositionWithdrawals: fig(true, RULES),
    accrualPeriod: fig('daily', `shared/reference/rate-and-risk-models.md "Accrual with indexes"; ${LENDLAB_AS_OF}`),
    loyaltyTiers: fig(true, `src/loyalty/tiers.ts; ${LENDLAB_AS_OF}`),
    marginCallWarnings: fig([], `LendLab sends one margin call per asset level (marginCallLtv); ${LENDLAB_AS_OF}`),
    liquidation: { strategy: 'restore', fee: fig('0.05', SETTINGS) },
  },
};
