/**
 * The assets LendLab lists (api-contract, Conventions). Decimals are the smallest unit each
 * asset is counted in; the first network is where a deposit goes when none is named.
 */
export interface AssetInfo {
  readonly code: string;
  readonly decimals: number;
  readonly networks: readonly string[];
}

export const ASSETS: readonly AssetInfo[] = [
  { code: 'BTC', decimals: 8, networks: ['bitcoin'] },
  { code: 'ETH', decimals: 18, networks: ['ethereum'] },
  { code: 'SOL', decimals: 9, networks: ['solana'] },
  { code: 'USDC', decimals: 6, networks: ['ethereum', 'solana'] },
  { code: 'USDT', decimals: 6, networks: ['ethereum', 'tron'] },
  { code: 'LAB', decimals: 8, networks: ['ethereum'] },
];

const BY_CODE = new Map(ASSETS.map((asset) => [asset.code, asset]));

export const ASSET_CODES = ASSETS.map((asset) => asset.code);
export const NETWORK_CODES = [...new Set(ASSETS.flatMap((asset) => asset.networks))].sort();

export function findAsset(code: string): AssetInfo | undefined {
  return BY_CODE.get(code);
}
