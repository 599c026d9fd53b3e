import { Operation } from '../common/http/api-docs.js';
import { Optional } from '../common/http/optional.js';
import { Body, Controller, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { SettingsService, Settings, plainSettings } from './settings.service.js';
import { MAX_WARNING_LEVELS } from './platform-rules.js';
import { LiquidationStrategyPatch, LiquidationStrategyView } from './liquidation-strategy.js';

// --- Platform rules' descriptions (platform-rules.ts), shared by the request and the view ---
const TOP_UP_DOC =
  'true (default): a top-up moves the whole position’s maturity to one lending period from now. false: the maturity stays one lending period after the first deposit of the open position; a deposit into a closed (withdrawn) position opens a new one, maturing one period from then';
const WHOLE_DOC =
  'true (default): only the whole matured position may be withdrawn (PARTIAL_WITHDRAWAL_NOT_ALLOWED otherwise). false: any amount above 0 up to the matured position (AMOUNT_EXCEEDS_POSITION above it); the scaled units taken are rounded up, so the platform never pays out more than the position holds';
const TIERS_DOC =
  'true (default): loyalty tiers are assigned at each 00:00. false: every account stays in base; accounts already in a tier go back to base at the next 00:00 assignment';
const WARNINGS_DOC = {
  type: 'string' as const,
  isArray: true as const,
  example: ['0.714', '0.741', '0.769'],
  description:
    'Extra LTV levels, strictly ascending, each a decimal string above 0 and below 1 with at most 8 decimals (default none): a margin_call_warning notification once each time an account’s LTV rises to or past a level, beside its assets’ own margin-call level',
};

/** The liquidation strategy's fields (issue 16) come from LiquidationStrategyPatch. */
export class UpdateSettingsDto extends LiquidationStrategyPatch {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 3650, example: 7, description: 'Days a position stays locked after its latest deposit (or its first, when topUpResetsMaturity is false); 0: no lock, a position is matured at once' })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(3650)
  lendingPeriodDays?: number;

  @ApiPropertyOptional({ example: '0.05', pattern: '^0(\\.[0-9]{1,8})?$', description: 'Share of the value sold in a liquidation kept by the platform: from 0 to below 1, at most 8 decimals' })
  @Optional()
  @IsString()
  liquidationFee?: string;

  // --- Platform rules (platform-rules.ts): defaults are the original rules. ---

  @ApiPropertyOptional({ example: true, description: TOP_UP_DOC })
  @Optional()
  @IsBoolean()
  topUpResetsMaturity?: boolean;

  @ApiPropertyOptional({ example: true, description: WHOLE_DOC })
  @Optional()
  @IsBoolean()
  wholePositionWithdrawals?: boolean;

  @ApiPropertyOptional({ example: true, description: TIERS_DOC })
  @Optional()
  @IsBoolean()
  loyaltyTiers?: boolean;

  @ApiPropertyOptional({ ...WARNINGS_DOC, maxItems: MAX_WARNING_LEVELS })
  @Optional()
  @IsArray()
  @ArrayMaxSize(MAX_WARNING_LEVELS)
  @IsString({ each: true })
  @MaxLength(20, { each: true })
  marginCallWarnings?: string[];
  // --- end of platform rules ---
}

class SettingsView extends LiquidationStrategyView {
  @ApiProperty({ type: 'integer' }) lendingPeriodDays: number;
  @ApiProperty() liquidationFee: string;
  // --- Platform rules (platform-rules.ts) ---
  @ApiProperty({ description: TOP_UP_DOC }) topUpResetsMaturity: boolean;
  @ApiProperty({ description: WHOLE_DOC }) wholePositionWithdrawals: boolean;
  @ApiProperty({ description: TIERS_DOC }) loyaltyTiers: boolean;
  @ApiProperty(WARNINGS_DOC) marginCallWarnings: string[];
  // --- end of platform rules ---
}

const view = (settings: Settings): SettingsView => plainSettings(settings);

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
  @Operation('Change the lending period, the liquidation fee, the platform rules or the liquidation strategy')
  @ApiOkResponse({ type: SettingsView })
  async update(@Body() body: UpdateSettingsDto): Promise<SettingsView> {
    return view(await this.settings.update(body));
  }
}
