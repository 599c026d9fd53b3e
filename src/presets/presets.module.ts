import { Module } from '@nestjs/common';
import { MarketsModule } from '../markets/markets.module.js';
import { SettingsModule } from '../settings/settings.module.js';
import { PresetsController } from './presets.controller.js';
import { PresetsService } from './presets.service.js';

/** Product presets: read them, and apply one to the sandbox's markets and settings. */
@Module({ imports: [SettingsModule, MarketsModule], controllers: [PresetsController], providers: [PresetsService], exports: [PresetsService] })
export class PresetsModule {}
