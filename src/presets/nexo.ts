import { LENDLAB_AS_OF, lendlabAsset } from './lendlab.js';
import { assetRules, fig, type AssetFigures, type Preset } from './preset.js';

/**
 * Nexo (CeFi, custodial credit line). Every Nexo figure here is read from
 * shared/reference/rate-and-risk-models.md ("Loan-to-value and liquidation", "Loyalty tiers"),
 * itself read from Nexo's public help pages; that document does not date them, so they are
 * "as of" the day it was read for this preset. What Nexo does not publish is LendLab's, flagged.
 */
const REF = 'shared/reference/rate-and-risk-models.md, Nexo (from Nexo\u2019s help pages, undated there); read 2026-12-01';
const NO_CURVE = 'Nexo publishes no utilisation curve (it sets rates per asset and loyalty tier, e.g. BTC credit line 18.9 / 17.9 / 13.9 / 10.9 %); LendLab\u2019s curve kept';
const CURVE = `LendLab default (src/markets/market-defaults.ts), ${LENDLAB_AS_OF}`;

/** Nexo's portfolio levels: margin call at 71.4 % (collateral 140 % of the loan), liquidation at 83.3 % (120 %). */
const MARGIN_CALL = '0.714';
const LIQUIDATION = '0.833';

function nexoAsset(base: 'BTC' | 'ETH' | 'SOL' | 'USDC' | 'USDT' | 'LAB', risk: Pick<AssetFigures, 'maxLtv' | 'marginCallLtv' | 'liquidationLtv'>, riskAssumption?: Partial<Record<'maxLtv' | 'marginCallLtv' | 'liquidationLtv', string>>) {
  const lendlab = lendlabAsset(base);
  const curve = Object.fromEntries(Object.entries(lendlab.curve).map(([k, f]) => [k, f.value])) as Pick<AssetFigures, 'baseRate' | 'optimalUtilization' | 'slope1' | 'slope2' | 'reserveFactor'>;
  return assetRules({ ...curve, ...risk }, { curve: CURVE, risk: REF }, {
    baseRate: NO_CURVE, optimalUtilization: NO_CURVE, slope1: NO_CURVE, slope2: NO_CURVE, reserveFactor: NO_CURVE,
    ...riskAssumption,
  });
}

const STABLE_LEVELS = 'Nexo\u2019s 71.4 / 83.3 % levels sit below its ~90 % stablecoin credit limit, so they cannot be plain per-asset LTV levels for stablecoin collateral; 0.92 / 0.94 assumed (ordered, below 1 \u2212 fee)';

export const NEXO: Preset = {
  name: 'nexo',
  title: 'Nexo (CeFi credit line)',
  summary: 'Borrow against BTC at about half its value; warnings at 71.4, 74.1 and 76.9 % LTV, and at 83.3 % Nexo sells collateral in small steps until LTV is back at 71.4 %.',
  assets: {
    BTC: nexoAsset('BTC', { maxLtv: '0.527', marginCallLtv: MARGIN_CALL, liquidationLtv: LIQUIDATION }),
    ETH: nexoAsset('ETH', { maxLtv: '0.508', marginCallLtv: MARGIN_CALL, liquidationLtv: LIQUIDATION }),
    SOL: nexoAsset('SOL', { maxLtv: '0.4', marginCallLtv: MARGIN_CALL, liquidationLtv: LIQUIDATION }, { maxLtv: 'SOL\u2019s Nexo credit limit is not in the stored sources; LendLab\u2019s 0.4 kept' }),
    USDC: nexoAsset('USDC', { maxLtv: '0.9', marginCallLtv: '0.92', liquidationLtv: '0.94' }, { marginCallLtv: STABLE_LEVELS, liquidationLtv: STABLE_LEVELS }),
    USDT: nexoAsset('USDT', { maxLtv: '0.9', marginCallLtv: '0.92', liquidationLtv: '0.94' }, { marginCallLtv: STABLE_LEVELS, liquidationLtv: STABLE_LEVELS }),
    // LAB stands for the NEXO token (credit limit 15 %); its warning levels are LendLab's.
    LAB: nexoAsset('LAB', { maxLtv: '0.15', marginCallLtv: '0.3', liquidationLtv: '0.4' }, {
      marginCallLtv: 'NEXO token levels not in the stored sources; LendLab\u2019s LAB levels kept',
      liquidationLtv: 'NEXO token levels not in the stored sources; LendLab\u2019s LAB levels kept',
    }),
  },
  platform: {
    lendingPeriodDays: fig(0, REF, 'Nexo\u2019s flexible savings can be withdrawn at any time (fixed terms exist too); not stated in the stored sources'),
    topUpResetsMaturity: fig(false, REF, 'no lock, so nothing to reset (assumption, as above)'),
    wholePositionWithdrawals: fig(false, REF, 'partial withdrawals allowed (assumption, as above)'),
    accrualPeriod: fig('daily', `${REF}: credit lines accrue daily at 00:00 CET, Earn is paid daily`),
    loyaltyTiers: fig(true, `${REF}: Base / Silver / Gold / Platinum by the NEXO token\u2019s share (LAB stands for it)`),
    marginCallWarnings: fig(['0.714', '0.741', '0.769'], REF),
    liquidation: {
      strategy: 'restore',
      fee: fig('0.05', `LendLab default (settings.liquidation_fee), ${LENDLAB_AS_OF}`, 'Nexo\u2019s fee on an automatic partial repayment is not in the stored sources'),
    },
  },
};
