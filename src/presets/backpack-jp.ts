import { LENDLAB_AS_OF, lendlabAsset } from './lendlab.js';
import { allAssumed, everyAsset, fig, type AssetRules, type Preset, type PresetAsset } from './preset.js';

/**
 * Backpack Exchange Japan's Borrow/Lend: the rules LendLab was built on (seed 002). Backpack
 * publishes neither its rate curve parameters nor, in the stored sources, its liquidation
 * levels, so those are LendLab's, flagged.
 */
const SEED = 'shared/seeds/002 (Japanese explainer of Backpack Exchange Japan\u2019s Borrow/Lend, citing Backpack\u2019s official site; undated), read 2026-12-01';
const REF = 'shared/reference/rate-and-risk-models.md, Backpack; read 2026-12-01';
const UNPUBLISHED = 'Backpack does not publish its curve parameters (reference: "Parameters not published"); LendLab\u2019s kept';
const NO_LEVELS = 'Backpack\u2019s liquidation uses margin fractions and haircut weights not given in the stored sources; LendLab\u2019s levels kept';

function backpackAsset(asset: PresetAsset): AssetRules {
  if (asset === 'LAB') return lendlabAsset(asset, allAssumed('LAB is the sandbox token, not listed on Backpack; LendLab\u2019s figures kept'));
  return lendlabAsset(asset, {
    baseRate: UNPUBLISHED, optimalUtilization: UNPUBLISHED, slope1: UNPUBLISHED, slope2: UNPUBLISHED, reserveFactor: UNPUBLISHED,
    maxLtv: NO_LEVELS, marginCallLtv: NO_LEVELS, liquidationLtv: NO_LEVELS,
  });
}

export const BACKPACK_JP: Preset = {
  name: 'backpack-jp',
  title: 'Backpack Exchange Japan (Borrow/Lend)',
  summary: 'Every deposit is lent at once and matures 7 days after the latest top-up; only the whole position can leave; interest accrues hourly.',
  assets: everyAsset(backpackAsset),
  platform: {
    lendingPeriodDays: fig(7, SEED),
    topUpResetsMaturity: fig(true, `${SEED}: a top-up moves the whole position\u2019s maturity (1 BTC day 1 + 0.5 BTC day 3 \u2192 all on day 10)`),
    wholePositionWithdrawals: fig(true, `${SEED}: after maturity only the whole position, no partial withdrawal`),
    accrualPeriod: fig('hourly', `${REF}: "Backpack charges hourly"`),
    loyaltyTiers: fig(false, SEED, 'no loyalty programme is mentioned in the stored sources'),
    marginCallWarnings: fig([], SEED, 'no warning levels in the stored sources'),
    liquidation: {
      strategy: 'restore',
      fee: fig('0.05', `LendLab default (settings.liquidation_fee), ${LENDLAB_AS_OF}`, 'Backpack\u2019s liquidation fee is not in the stored sources; seed 002 only says collateral is liquidated when prices fall'),
    },
  },
};
