import { unknownAsset } from '../errors/catalogue.js';
import { ASSET_CODES, AssetInfo, findAsset } from './assets.js';

/** The listed asset with this code, or 400 UNKNOWN_ASSET. Codes are upper-case, exactly. */
export function requireAsset(code: unknown): AssetInfo {
  const asset = typeof code === 'string' ? findAsset(code) : undefined;
  if (!asset) throw unknownAsset(code, ASSET_CODES);
  return asset;
}
