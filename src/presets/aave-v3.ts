import { lendlabAsset } from './lendlab.js';
import { allAssumed, assetRules, fig, type AssetFigures, type Preset, type PresetAsset, type Sourced } from './preset.js';

/**
 * Aave v3: a health factor over liquidation thresholds, half the debt closed per liquidation
 * (all of it at or below HF 0.95), a bonus for the liquidator. The per-asset figures are Aave's
 * reference market configuration (aave-v3-deploy); the live Ethereum market's values are set by
 * governance and change often (e.g. a later proposal moved WBTC's LTV from 70 to 74 %), so they
 * are marked as such. The liquidation constants are v3.3's code.
 */
const DEPLOY = 'github.com/aave/aave-v3-deploy markets/aave/reservesConfigs.ts + rateStrategies.ts (Aave\u2019s reference market configuration), commit 09e91b80aff2; read 2026-12-01';
const LIVE = 'Aave\u2019s reference configuration, not the live Ethereum market (governance-set, changes often)';
const LOGIC = 'github.com/aave-dao/aave-v3-origin src/contracts/protocol/libraries/logic/LiquidationLogic.sol (v3.3: DEFAULT_LIQUIDATION_CLOSE_FACTOR 0.5e4, CLOSE_FACTOR_HF_THRESHOLD 0.95e18, MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD 2000e8), commit 027aaed7; read 2026-12-01';
const DOCS = 'aave.com/docs/aave-v3/overview (supply, withdraw any time subject to liquidity); read 2026-12-01';
const NO_MARGIN_CALL = 'Aave sends no margin call; LendLab\u2019s notice is put at the liquidation threshold';

/** rateStrategyVolatileOne and rateStrategyStableOne (variable rate part). */
const VOLATILE = { baseRate: '0', optimalUtilization: '0.45', slope1: '0.07', slope2: '3' };
const STABLE = { baseRate: '0', optimalUtilization: '0.9', slope1: '0.04', slope2: '0.6' };

/** An Aave-listed asset: LTV, liquidation threshold (marginCall = threshold), reserve factor. */
function listed(curve: typeof VOLATILE, reserveFactor: string, ltv: string, threshold: string) {
  const figures: AssetFigures = { ...curve, reserveFactor, maxLtv: ltv, marginCallLtv: threshold, liquidationLtv: threshold };
  const live = Object.fromEntries(Object.keys(figures).map((k) => [k, LIVE])) as Partial<Record<keyof AssetFigures, string>>;
  return assetRules(figures, { curve: DEPLOY, risk: DEPLOY }, { ...live, marginCallLtv: `${NO_MARGIN_CALL}; ${LIVE}` });
}

function unlisted(asset: 'SOL' | 'LAB') {
  return lendlabAsset(asset, allAssumed(`${asset} is not in Aave\u2019s reference market; LendLab\u2019s figures kept`));
}

const bonus = (value: string): Sourced => fig(value, DEPLOY, LIVE);
const assumedBonus = (asset: string): Sourced => fig('0.1', DEPLOY, `${asset} not listed; the 10 % bonus of Aave\u2019s volatile listings (WBTC, LINK, AAVE) assumed`);
const protocolShare = (listedAsset: boolean): Sourced =>
  fig('0.1', DEPLOY, listedAsset ? LIVE : 'not listed; the 10 % liquidationProtocolFee of every reference listing assumed');

export const AAVE_V3: Preset = {
  name: 'aave-v3',
  title: 'Aave v3 (DeFi pool)',
  summary: 'Below health factor 1 a liquidator repays up to half the debt (all of it at or below 0.95) and takes that value of collateral plus a 5\u201310 % bonus.',
  assets: {
    BTC: listed(VOLATILE, '0.2', '0.7', '0.75'), // WBTC
    ETH: listed(VOLATILE, '0.1', '0.8', '0.825'), // WETH
    SOL: unlisted('SOL'),
    USDC: listed(STABLE, '0.1', '0.8', '0.85'),
    USDT: listed(STABLE, '0.1', '0.75', '0.8'),
    LAB: unlisted('LAB'),
  },
  platform: {
    lendingPeriodDays: fig(0, DOCS),
    topUpResetsMaturity: fig(false, DOCS),
    wholePositionWithdrawals: fig(false, DOCS),
    accrualPeriod: fig('per-second', 'shared/reference/rate-and-risk-models.md "Accrual with indexes" (Aave accrues per second, at each interaction); read 2026-12-01'),
    loyaltyTiers: fig(false, DOCS),
    marginCallWarnings: fig([], DOCS, 'Aave\u2019s app shows the health factor; the protocol itself sends no warning'),
    liquidation: {
      strategy: 'close-factor',
      closeFactor: fig('0.5', LOGIC),
      fullCloseHealthFactor: fig('0.95', LOGIC),
      fullCloseBelowValue: fig('2000', LOGIC),
      bonus: { BTC: bonus('0.1'), ETH: bonus('0.05'), SOL: assumedBonus('SOL'), USDC: bonus('0.05'), USDT: bonus('0.05'), LAB: assumedBonus('LAB') } satisfies Record<PresetAsset, Sourced>,
      protocolFeeShare: { BTC: protocolShare(true), ETH: protocolShare(true), SOL: protocolShare(false), USDC: protocolShare(true), USDT: protocolShare(true), LAB: protocolShare(false) },
    },
  },
};
