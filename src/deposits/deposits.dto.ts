import { Optional } from '../common/http/optional.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class DepositDto {
  @ApiProperty({ example: 'BTC' }) @IsString() @MaxLength(20) asset: string;
  @ApiProperty({ example: '1.5', description: 'Decimal string, > 0, at most the asset’s decimals' }) @IsString() @MaxLength(64) amount: string;
  @ApiPropertyOptional({ example: 'bitcoin', description: "Defaults to the asset's first network" })
  @Optional()
  @IsString()
  @MaxLength(40)
  network?: string;
}

export class WithdrawalDto {
  @ApiProperty({ example: 'BTC' }) @IsString() @MaxLength(20) asset: string;
  @ApiPropertyOptional({ description: 'If given, must equal the whole position (interest included)' })
  @Optional()
  @IsString()
  @MaxLength(64)
  amount?: string;
}

export class PositionViewDto {
  @ApiProperty() asset: string;
  @ApiProperty({ description: 'Principal plus interest, rounded down to the asset’s decimals' }) amount: string;
  @ApiProperty() principal: string;
  @ApiProperty() interestEarned: string;
  @ApiProperty() maturesAt: string;
  @ApiProperty() matured: boolean;
}

export class DepositResultView {
  @ApiProperty({ type: PositionViewDto }) position: PositionViewDto;
}

export class WithdrawalResultView {
  @ApiProperty() asset: string;
  @ApiProperty() amount: string;
}
