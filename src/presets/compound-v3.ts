import { lendlabAsset } from './lendlab.js';
import { allAssumed, assetRules, fig, type Preset, type Sourced } from './preset.js';

/**
 * Compound v3 (Comet), the Ethereum USDC market (cUSDCv3): one borrowable asset, collateral
 * that only backs it. Below the liquidation collateral factor the protocol absorbs all the
 * account's collateral, credits value × liquidationFactor against the debt, and sells the
 * collateral later at a store-front discount. Figures: the market's launch configuration in
 * Compound's repository; governance has changed several since (flagged).
 */
const CONFIG = 'github.com/compound-finance/comet deployments/mainnet/usdc/configuration.json (cUSDCv3 launch configuration, 2022), commit 3daf2050; read 2026-12-01';
const LATER = 'launch value; later governance proposals may have changed it';
const COMET = 'github.com/compound-finance/comet contracts/Comet.sol (absorb, isLiquidatable, quoteCollateral; interest accrues per second); read 2026-12-01';
const NO_MARGIN_CALL = 'Comet sends no margin call; LendLab\u2019s notice is put at the liquidation collateral factor';
const NOT_COLLATERAL = (asset: string) => `${asset} is not collateral in cUSDCv3; LendLab\u2019s figures kept`;

/** A Comet collateral: borrowCF as maxLtv, liquidateCF as the margin-call and liquidation level; the curve is LendLab's (Comet USDC lends only USDC). */
function collateral(asset: 'BTC' | 'ETH', borrowCF: string, liquidateCF: string) {
  const lendlab = lendlabAsset(asset);
  const curveNote = `${asset} cannot be borrowed in cUSDCv3; LendLab\u2019s curve kept`;
  return assetRules(
    {
      baseRate: lendlab.curve.baseRate.value, optimalUtilization: lendlab.curve.optimalUtilization.value, slope1: lendlab.curve.slope1.value,
      slope2: lendlab.curve.slope2.value, reserveFactor: lendlab.curve.reserveFactor.value,
      maxLtv: borrowCF, marginCallLtv: liquidateCF, liquidationLtv: liquidateCF,
    },
    { curve: lendlab.curve.baseRate.source, risk: CONFIG },
    { baseRate: curveNote, optimalUtilization: curveNote, slope1: curveNote, slope2: curveNote, reserveFactor: curveNote, maxLtv: LATER, marginCallLtv: `${NO_MARGIN_CALL}; ${LATER}`, liquidationLtv: LATER },
  );
}

/**
 * USDC, the base asset. Comet's borrow rate is base + slopeLow·U up to the kink, then
 * + slopeHigh·(U − kink); LendLab's is base + slope1·U/Uopt, then + slope2·(U − Uopt)/(1 − Uopt).
 * So slope1 = slopeLow × kink = 0.035 × 0.8 = 0.028 and slope2 = slopeHigh × (1 − kink) = 0.25 × 0.2 = 0.05, exactly.
 * Comet's supply rate has its own curve (kink 0.8, slopeLow 0.0325): LendLab derives supply as
 * R × U × (1 − rf), which matches Comet at the kink when rf = 1 − 0.026 / 0.0344 ≈ 0.2442.
 */
const USDC = (() => {
  const lendlab = lendlabAsset('USDC', { maxLtv: NOT_COLLATERAL('USDC'), marginCallLtv: NOT_COLLATERAL('USDC'), liquidationLtv: NOT_COLLATERAL('USDC') });
  const derived = `${CONFIG}; converted to LendLab\u2019s curve shape (see compound-v3.ts)`;
  return {
    curve: {
      baseRate: fig('0.015', CONFIG, LATER),
      optimalUtilization: fig('0.8', CONFIG, LATER),
      slope1: fig('0.028', derived, LATER),
      slope2: fig('0.05', derived, LATER),
      reserveFactor: fig('0.24', derived, 'Comet has no reserve factor (separate supply curve); 0.24 matches its supply rate at the kink (exact: 0.2442)'),
    },
    risk: lendlab.risk,
  };
})();

const factor = (value: string, note = LATER): Sourced => fig(value, CONFIG, note);
const assumedFactor = (asset: string, value: string, like: string): Sourced =>
  fig(value, CONFIG, `${NOT_COLLATERAL(asset)}: liquidationFactor ${value} assumed, like ${like}`);

export const COMPOUND_V3: Preset = {
  name: 'compound-v3',
  title: 'Compound v3 (Comet USDC)',
  summary: 'Below the liquidation collateral factor the protocol takes all the collateral at once and credits 93\u201395 % of its value against the debt; what is left over stays the borrower\u2019s as USDC.',
  assets: {
    BTC: collateral('BTC', '0.7', '0.78'), // WBTC
    ETH: collateral('ETH', '0.82', '0.9'), // WETH
    SOL: lendlabAsset('SOL', allAssumed(NOT_COLLATERAL('SOL'))),
    USDC,
    USDT: lendlabAsset('USDT', allAssumed(NOT_COLLATERAL('USDT'))),
    LAB: lendlabAsset('LAB', allAssumed(NOT_COLLATERAL('LAB'))),
  },
  platform: {
    lendingPeriodDays: fig(0, COMET),
    topUpResetsMaturity: fig(false, COMET),
    wholePositionWithdrawals: fig(false, COMET),
    accrualPeriod: fig('per-second', COMET),
    loyaltyTiers: fig(false, COMET),
    marginCallWarnings: fig([], COMET, 'the protocol sends no warning'),
    liquidation: {
      strategy: 'absorb',
      liquidationFactor: {
        BTC: factor('0.95'),
        ETH: factor('0.95'),
        SOL: assumedFactor('SOL', '0.93', 'COMP, UNI and LINK at launch'),
        USDC: assumedFactor('USDC', '0.95', 'WBTC and WETH'),
        USDT: assumedFactor('USDT', '0.95', 'WBTC and WETH'),
        LAB: assumedFactor('LAB', '0.93', 'COMP, UNI and LINK at launch'),
      },
      storeFrontPriceFactor: fig('0.5', CONFIG, LATER),
    },
  },
};
