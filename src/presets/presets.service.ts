import { Injectable } from '@nestjs/common';
import { MarketsService } from '../markets/markets.service.js';
import { SettingsService, plainSettings } from '../settings/settings.service.js';
import { unknownPreset } from '../common/errors/catalogue.js';
import { PRESETS, UnknownPresetError, presetNamed } from './index.js';
import type { Preset } from './preset.js';
import { PRESET_ASSETS } from './preset.js';
import { presetWrites, writeOrder } from './preset-settings.js';
import type { PresetWrites } from './preset-settings.js';

type MarketsBody = PresetWrites['markets'];

/** What an apply did: the preset, what the engine now follows and what it cannot yet. */
export interface AppliedPreset {
  preset: Preset;
  applied: string[];
  notApplied: string[];
}

/**
 * Presets (src/presets: data with sources) as the sandbox's rules. Applying one writes its
 * figures through SettingsService and MarketsService, the admin's own paths, so every check
 * they make holds. Each of those writes is a transaction of its own, so the writes are ordered
 * (writeOrder) to never break "liquidation level < 1 − fee" on the way, and a failure part way
 * writes back what was there before, in the same safe order: a failed apply changes nothing.
 * (An admin's own change made during the apply may be overwritten by that write-back.)
 */
@Injectable()
export class PresetsService {
  constructor(
    private readonly settings: SettingsService,
    private readonly markets: MarketsService,
  ) {}

  list(): Preset[] {
    return Object.values(PRESETS);
  }

  get(name: string): Preset {
    try {
      return presetNamed(name);
    } catch (error) {
      if (error instanceof UnknownPresetError) throw unknownPreset(name, Object.keys(PRESETS));
      throw error;
    }
  }

  async applyNamed(name: string): Promise<AppliedPreset> {
    return this.apply(this.get(name));
  }

  async apply(preset: Preset): Promise<AppliedPreset> {
    const writes = presetWrites(preset);
    const before = await this.snapshot();
    try {
      await this.write(writes.settings, writes.markets);
    } catch (error) {
      await this.write(before.settings, before.markets);
      throw error;
    }
    return { preset, applied: writes.applied, notApplied: writes.notApplied };
  }

  private async snapshot(): Promise<Pick<PresetWrites, 'settings' | 'markets'>> {
    const [settings, markets] = await Promise.all([this.settings.get(), this.markets.list()]);
    const byAsset = Object.fromEntries(markets.map((m) => [m.asset, { rateModel: { ...m.rateModel }, risk: { ...m.risk } }])) as MarketsBody;
    return {
      settings: plainSettings(settings),
      markets: byAsset,
    };
  }

  /** Settings and markets, in the order that keeps every check true on the way. */
  private async write(settings: PresetWrites['settings'], markets: MarketsBody): Promise<void> {
    const current = await this.settings.get();
    const writeMarkets = async () => {
      for (const asset of PRESET_ASSETS) await this.markets.update(asset, markets[asset]);
    };
    if (writeOrder(current.liquidationFee.toFixed(), settings.liquidationFee) === 'fee-first') {
      await this.settings.update(settings);
      await writeMarkets();
    } else {
      await writeMarkets();
      await this.settings.update(settings);
    }
  }
}
