import { Operation } from '../common/http/api-docs.js';
import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { PresetsService } from './presets.service.js';
import type { AppliedPreset } from './presets.service.js';
import type { Preset } from './preset.js';

const FIGURES = 'Each figure is { value, source, assumption? }: where it comes from and, when it is not the platform\u2019s own published value, what was assumed';

export class PresetView {
  @ApiProperty({ example: 'nexo' }) name: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'One sentence a teacher can read out' }) summary: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: `Per asset: curve (baseRate, optimalUtilization, slope1, slope2, reserveFactor) and risk (maxLtv, marginCallLtv, liquidationLtv). ${FIGURES}` })
  assets: Record<string, unknown>;
  @ApiProperty({ type: 'object', additionalProperties: true, description: `lendingPeriodDays, topUpResetsMaturity, wholePositionWithdrawals, accrualPeriod, loyaltyTiers, marginCallWarnings, liquidation. ${FIGURES}` })
  platform: Record<string, unknown>;
}

export class AppliedPresetView {
  @ApiProperty({ example: 'aave-v3' }) preset: string;
  @ApiProperty() title: string;
  @ApiProperty({ description: 'One line for a person: what was applied and how much was not' }) message: string;
  @ApiProperty({ type: [String], description: 'The preset\u2019s rules the engine now follows' }) applied: string[];
  @ApiProperty({ type: [String], description: 'The preset\u2019s rules the engine cannot follow yet, and what stands in for each' }) notApplied: string[];
}

const view = (preset: Preset): PresetView => ({ name: preset.name, title: preset.title, summary: preset.summary, assets: preset.assets, platform: preset.platform as unknown as Record<string, unknown> });

const appliedView = ({ preset, applied, notApplied }: AppliedPreset): AppliedPresetView => ({
  preset: preset.name,
  title: preset.title,
  message: `${preset.title} applied: ${applied.length} rule(s) now in force${notApplied.length ? `, ${notApplied.length} the engine cannot follow yet (see notApplied)` : ''}.`,
  applied,
  notApplied,
});

@ApiTags('presets')
@Controller('v1/presets')
export class PresetsController {
  constructor(private readonly presets: PresetsService) {}

  @Get()
  @Operation('Every product preset (a platform\u2019s rules), each figure with its source')
  @ApiOkResponse({ type: [PresetView] })
  list(): PresetView[] {
    return this.presets.list().map(view);
  }

  @Get(':name')
  @Operation('One preset', { 404: ['UNKNOWN_PRESET'] })
  @ApiOkResponse({ type: PresetView })
  get(@Param('name') name: string): PresetView {
    return view(this.presets.get(name));
  }

  @Post(':name/apply')
  @AdminOnly()
  @HttpCode(200)
  @Operation('Apply a preset: its curves and levels to the markets, its platform rules to the settings', { 404: ['UNKNOWN_PRESET'] })
  @ApiOkResponse({ type: AppliedPresetView })
  async apply(@Param('name') name: string): Promise<AppliedPresetView> {
    return appliedView(await this.presets.applyNamed(name));
  }
}
