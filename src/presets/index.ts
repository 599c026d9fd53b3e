import { AAVE_V3 } from './aave-v3.js';
import { BACKPACK_JP } from './backpack-jp.js';
import { COMPOUND_V3 } from './compound-v3.js';
import { LENDLAB } from './lendlab.js';
import { NEXO } from './nexo.js';
import type { Preset } from './preset.js';

export type { Preset } from './preset.js';

/** Every preset by name; `lendlab` (today's rules) is the default. */
export const PRESETS: Readonly<Record<string, Preset>> = Object.freeze(
  Object.fromEntries([LENDLAB, NEXO, BACKPACK_JP, AAVE_V3, COMPOUND_V3].map((p) => [p.name, p])),
);

export const DEFAULT_PRESET = LENDLAB.name;

export class UnknownPresetError extends Error {
  constructor(readonly requested: string) {
    super(`unknown preset "${requested}"; known presets: ${Object.keys(PRESETS).join(', ')}`);
    this.name = 'UnknownPresetError';
  }
}

/** The preset of that name, or an error listing the known ones. */
export function presetNamed(name: string): Preset {
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (!preset) throw new UnknownPresetError(name);
  return preset;
}
