import { Optional } from '../common/http/optional.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { ASSET_CODES, NETWORK_CODES } from '../common/money/assets.js';
import { AMOUNT_DOC } from '../common/money/amount.js';

export class DepositDto {
  @ApiProperty({ example: 'BTC', enum: ASSET_CODES }) @IsString() @MaxLength(20) asset: string;
  @ApiProperty({ example: '1.5', ...AMOUNT_DOC }) @IsString() @MaxLength(64) amount: string;
  @ApiPropertyOptional({ example: 'bitcoin', enum: NETWORK_CODES, description: "One of the asset's networks (api-contract, Conventions); defaults to its first" })
  @Optional()
  @IsString()
  @MaxLength(40)
  network?: string;
}

export class WithdrawalDto {
  @ApiProperty({ example: 'BTC', enum: ASSET_CODES }) @IsString() @MaxLength(20) asset: string;
  @ApiPropertyOptional({ ...AMOUNT_DOC, description: 'If given, must equal the whole position (interest included); when the platform allows partial withdrawals (settings.wholePositionWithdrawals false), any amount up to it' })
  @Optional()
  @IsString()
  @MaxLength(64)
  amount?: string;
}

export class PositionViewDto {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'Principal plus interest, rounded down to the asset’s decimals' }) amount: string;
  @ApiProperty() principal: string;
  @ApiProperty() interestEarned: string;
  @ApiProperty({ format: 'date-time', description: 'One lending period after the latest deposit (after the first, when settings.topUpResetsMaturity is false)' }) maturesAt: string;
  @ApiProperty() matured: boolean;
}

export class DepositResultView {
  @ApiProperty({ type: PositionViewDto }) position: PositionViewDto;
}

export class WithdrawalResultView {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'What was paid: the whole position, interest included, or the amount asked (a partial withdrawal)' }) amount: string;
}
