import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { ASSET_CODES } from '../common/money/assets.js';
import { AMOUNT_DOC } from '../common/money/amount.js';

export class BorrowDto {
  @ApiProperty({ example: 'USDC', enum: ASSET_CODES }) @IsString() @MaxLength(20) asset: string;
  @ApiProperty({ example: '10000', ...AMOUNT_DOC }) @IsString() @MaxLength(64) amount: string;
}

export class RepayDto {
  @ApiProperty({
    example: '500',
    description: 'A decimal string (at most the loan asset’s decimals, at most what is outstanding), or "all" for what is outstanding',
    pattern: '^((0|[1-9][0-9]*)(\\.[0-9]+)?|all)$',
    maxLength: 64,
  })
  @IsString()
  @MaxLength(64)
  amount: string;
}

export class LoanViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'What is left of the amount borrowed' }) principal: string;
  @ApiProperty({ description: 'Principal plus interest, rounded up to the asset’s decimals' }) outstanding: string;
  @ApiProperty({ description: 'Today’s borrow APR in the account’s loyalty tier' }) borrowApr: string;
}

export class LoanResultView {
  @ApiProperty({ type: LoanViewDto }) loan: LoanViewDto;
}
