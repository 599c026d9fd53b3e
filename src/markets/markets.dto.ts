import { Optional } from '../common/http/optional.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsObject, IsString, Matches, ValidateNested } from 'class-validator';
import { ASSET_CODES } from '../common/money/assets.js';
import { rateDigits } from '../common/money/rate-pattern.js';

/** 0 to 1000 with at most 18 decimals (api-contract): exactly what the columns store, never rounded. */
const RATE = new RegExp(`^(${rateDigits(18)}|1000(\\.0{1,18})?)$`);
const RATE_MESSAGE = 'must be a decimal string from 0 to 1000 such as "0.045" (at most 18 decimals)';
const RATE_DOC = { pattern: RATE.source, description: 'A decimal string from 0 to 1000, at most 18 decimals; stored exactly' };

export class RateModelPatch {
  @ApiPropertyOptional({ example: '0', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `baseRate ${RATE_MESSAGE}` }) baseRate?: string;
  @ApiPropertyOptional({ example: '0.45', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `optimalUtilization ${RATE_MESSAGE}` }) optimalUtilization?: string;
  @ApiPropertyOptional({ example: '0.04', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `slope1 ${RATE_MESSAGE}` }) slope1?: string;
  @ApiPropertyOptional({ example: '3', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `slope2 ${RATE_MESSAGE}` }) slope2?: string;
  @ApiPropertyOptional({ example: '0.2', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `reserveFactor ${RATE_MESSAGE}` }) reserveFactor?: string;
}

export class RiskPatch {
  @ApiPropertyOptional({ example: '0.5', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `maxLtv ${RATE_MESSAGE}` }) maxLtv?: string;
  @ApiPropertyOptional({ example: '0.714', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `marginCallLtv ${RATE_MESSAGE}` }) marginCallLtv?: string;
  @ApiPropertyOptional({ example: '0.833', ...RATE_DOC }) @Optional() @IsString() @Matches(RATE, { message: `liquidationLtv ${RATE_MESSAGE}` }) liquidationLtv?: string;
  // Liquidation strategies (issue 16): read only by close-factor and absorb.
  @ApiPropertyOptional({ example: '0.05', ...RATE_DOC, description: 'close-factor: the liquidator seizes repaid × (1 + bonus) of this collateral; below 1, at most 18 decimals' })
  @Optional() @IsString() @Matches(RATE, { message: `liquidationBonus ${RATE_MESSAGE}` }) liquidationBonus?: string;
  @ApiPropertyOptional({ example: '0.1', ...RATE_DOC, description: "close-factor: the platform's share of the bonus part of what is seized; at most 1" })
  @Optional() @IsString() @Matches(RATE, { message: `protocolFeeShare ${RATE_MESSAGE}` }) protocolFeeShare?: string;
  @ApiPropertyOptional({ example: '0.95', ...RATE_DOC, description: "absorb: the share of this collateral's value credited against the debt; above 0, at most 1" })
  @Optional() @IsString() @Matches(RATE, { message: `liquidationFactor ${RATE_MESSAGE}` }) liquidationFactor?: string;
}

/** A partial market in the GET shape. Rate-model changes apply from the next 00:00 UTC. */
export class UpdateMarketDto {
  @ApiPropertyOptional({ type: RateModelPatch })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => RateModelPatch)
  rateModel?: RateModelPatch;

  @ApiPropertyOptional({ type: RiskPatch })
  @Optional()
  @IsObject()
  @ValidateNested()
  @Type(() => RiskPatch)
  risk?: RiskPatch;
}

export class RateModelView {
  @ApiProperty() baseRate: string;
  @ApiProperty() optimalUtilization: string;
  @ApiProperty() slope1: string;
  @ApiProperty() slope2: string;
  @ApiProperty() reserveFactor: string;
}

export class RiskView {
  @ApiProperty() maxLtv: string;
  @ApiProperty() marginCallLtv: string;
  @ApiProperty() liquidationLtv: string;
  // Liquidation strategies (issue 16):
  @ApiProperty({ description: 'close-factor strategy: seized = repaid × (1 + bonus)' }) liquidationBonus: string;
  @ApiProperty({ description: "close-factor strategy: the platform's share of the bonus" }) protocolFeeShare: string;
  @ApiProperty({ description: 'absorb strategy: credit = value × liquidationFactor' }) liquidationFactor: string;
}

export class NextDayRatesView {
  @ApiProperty({ description: 'Live utilisation, which sets the rates at the next 00:00 UTC' }) utilization: string;
  @ApiProperty() borrowApr: string;
  @ApiProperty() supplyApr: string;
}

export class TierRatesView {
  @ApiProperty({ enum: ['base', 'silver', 'gold', 'platinum'] }) tier: string;
  @ApiProperty({ description: "Today's supply APR in this loyalty tier (the market's + the tier's bonus)" }) supplyApr: string;
  @ApiProperty() supplyApy: string;
  @ApiProperty({ description: "Today's borrow APR in this tier (the market's − the tier's discount, never below 0)" }) borrowApr: string;
  @ApiProperty() borrowApy: string;
}

export class MarketView {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ type: 'integer' }) decimals: number;
  @ApiProperty({ nullable: true, type: String, description: 'USD; null until the admin sets one' }) price: string | null;
  @ApiProperty() totalSupplied: string;
  @ApiProperty() totalBorrowed: string;
  @ApiProperty() availableLiquidity: string;
  @ApiProperty({ description: 'Live: borrowed / supplied now' }) utilization: string;
  @ApiProperty({ description: "Today's rate, set at 00:00 UTC" }) borrowApr: string;
  @ApiProperty() supplyApr: string;
  @ApiProperty({ description: '(1 + borrowApr/365)^365 − 1' }) borrowApy: string;
  @ApiProperty() supplyApy: string;
  @ApiProperty() supplyIndex: string;
  @ApiProperty() borrowIndex: string;
  @ApiProperty({ format: 'date', description: 'The day the rates above belong to' }) ratesDate: string;
  @ApiProperty({ type: [TierRatesView], description: 'The rates above are the base tier’s; these are every tier’s' }) tiers: TierRatesView[];
  @ApiProperty({ type: NextDayRatesView }) nextDay: NextDayRatesView;
  @ApiProperty({ type: RateModelView }) rateModel: RateModelView;
  @ApiProperty({ type: RiskView }) risk: RiskView;
}

export class RateCurvePointView {
  @ApiProperty() utilization: string;
  @ApiProperty() borrowApr: string;
  @ApiProperty() supplyApr: string;
}

export class MarketDayStartView {
  @ApiProperty({ description: 'Live borrowed / supplied at that instant (may differ from the row’s `utilization`, taken before the instant’s tier changes and risk sweep)' }) utilization: string;
  @ApiProperty({ description: 'At the asset’s decimals, rounded down, as GET /v1/markets shows it' }) totalSupplied: string;
  @ApiProperty({ description: 'At the asset’s decimals, rounded up, as GET /v1/markets shows it' }) totalBorrowed: string;
}

export class MarketDayView {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty() utilization: string;
  @ApiProperty() borrowApr: string;
  @ApiProperty() supplyApr: string;
  @ApiProperty({ description: 'At the end of the day (00:00 of the next)' }) supplyIndex: string;
  @ApiProperty() borrowIndex: string;
  @ApiProperty({
    type: MarketDayStartView,
    required: false,
    description: 'The market as GET /v1/markets showed it at 00:00 of the day, once that instant’s work (rates, tier changes, risk sweep) was done; absent when the previous day is not accrued (the market’s first day)',
  })
  afterDayStart?: MarketDayStartView;
}
