import { invalidField } from '../errors/domain-error.js';
import { unsupportedNetwork } from '../errors/catalogue.js';
import { AssetInfo } from './assets.js';
import { checkAmount } from './amount.js';
import { Decimal } from './decimal.js';
import { requireAsset } from './require-asset.js';

/** An amount of a given asset from a request, or 400 VALIDATION_FAILED naming the field. */
export function parseAmountOf(asset: AssetInfo, raw: unknown, field = 'amount'): Decimal {
  const checked = checkAmount(raw, asset.decimals);
  if (!checked.ok) throw invalidField(field, checked.message);
  return checked.value;
}

/** The asset and its network (the asset's first when none is named), or 400. */
export function parseAssetOnNetwork(rawAsset: unknown, rawNetwork: unknown): { asset: AssetInfo; network: string } {
  const asset = requireAsset(rawAsset);
  const network = rawNetwork === undefined ? asset.networks[0] : String(rawNetwork);
  if (!asset.networks.includes(network)) {
    throw unsupportedNetwork(asset.code, network, asset.networks);
  }
  return { asset, network };
}
