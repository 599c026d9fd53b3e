import { Operation } from '../common/http/api-docs.js';
import { Optional } from '../common/http/optional.js';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, IsString, Max, Min } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { SettingsService, Settings } from './settings.service.js';
import { LiquidationStrategyPatch, LiquidationStrategyView, strategySettingsView } from './liquidation-strategy.js';

/** The liquidation strategy's fields (issue 16) come from LiquidationStrategyPatch. */
export class UpdateSettingsDto extends LiquidationStrategyPatch {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 3650, example: 7, description: 'Days a position stays locked after its latest deposit' })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(3650)
  lendingPeriodDays?: number;

  @ApiPropertyOptional({ example: '0.05', pattern: '^0(\\.[0-9]{1,8})?$', description: 'Share of the value sold in a liquidation kept by the platform: from 0 to below 1, at most 8 decimals' })
  @Optional()
  @IsString()
  liquidationFee?: string;
}

class SettingsView extends LiquidationStrategyView {
  @ApiProperty({ type: 'integer' }) lendingPeriodDays: number;
  @ApiProperty() liquidationFee: string;
}

const view = (settings: Settings): SettingsView => ({
  lendingPeriodDays: settings.lendingPeriodDays,
  liquidationFee: settings.liquidationFee.toFixed(),
  // Liquidation strategy (issue 16):
  ...strategySettingsView(settings),
});

@ApiTags('settings')
@Controller('v1/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

  @Get()
  @Operation('The sandbox’s settings')
  @ApiOkResponse({ type: SettingsView })
  async get(): Promise<SettingsView> {
    return view(await this.settings.get());
  }

  @Put()
  @AdminOnly()
  @Operation('Change the lending period, the liquidation fee or the liquidation strategy')
  @ApiOkResponse({ type: SettingsView })
  async update(@Body() body: UpdateSettingsDto): Promise<SettingsView> {
    return view(await this.settings.update(body));
  }
}
