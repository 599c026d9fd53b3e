import { DomainError } from '../errors/domain-error.js';
import { ASSET_CODES, AssetInfo, findAsset } from './assets.js';

/** The listed asset with this code, or 400 UNKNOWN_ASSET. Codes are upper-case, exactly. */
export function requireAsset(code: unknown): AssetInfo {
  const asset = typeof code === 'string' ? findAsset(code) : undefined;
  if (!asset) {
    throw new DomainError(400, 'UNKNOWN_ASSET', `Unknown asset; listed assets are ${ASSET_CODES.join(', ')}`, {
      asset: typeof code === 'string' ? code.slice(0, 50) : null,
      assets: ASSET_CODES,
    });
  }
  return asset;
}
