/**
 * Default parameters per market (shared/reference/rate-and-risk-models.md): a kinked borrow
 * curve and three LTV levels per collateral asset. Every one can be changed by the admin.
 */
export interface MarketParameters {
  baseRate: string;
  optimalUtilization: string;
  slope1: string;
  slope2: string;
  reserveFactor: string;
  maxLtv: string;
  marginCallLtv: string;
  liquidationLtv: string;
}

const STABLECOIN: MarketParameters = {
  baseRate: '0',
  optimalUtilization: '0.9',
  slope1: '0.055',
  slope2: '0.6',
  reserveFactor: '0.1',
  maxLtv: '0.8',
  marginCallLtv: '0.85',
  liquidationLtv: '0.9',
};

const MAJOR: MarketParameters = {
  baseRate: '0',
  optimalUtilization: '0.45',
  slope1: '0.04',
  slope2: '3',
  reserveFactor: '0.2',
  maxLtv: '0.5',
  marginCallLtv: '0.714',
  liquidationLtv: '0.833',
};

export const MARKET_DEFAULTS: Record<string, MarketParameters> = {
  BTC: MAJOR,
  ETH: MAJOR,
  SOL: { ...MAJOR, reserveFactor: '0.25', maxLtv: '0.4', marginCallLtv: '0.6', liquidationLtv: '0.75' },
  USDC: STABLECOIN,
  USDT: STABLECOIN,
  LAB: {
    baseRate: '0.02',
    optimalUtilization: '0.4',
    slope1: '0.07',
    slope2: '3',
    reserveFactor: '0.35',
    maxLtv: '0.15',
    marginCallLtv: '0.3',
    liquidationLtv: '0.4',
  },
};

/** Prices the demo world starts with (USD). */
export const DEMO_PRICES: Record<string, string> = {
  BTC: '65000',
  ETH: '3200',
  SOL: '150',
  USDC: '1',
  USDT: '1',
  LAB: '0.5',
};
