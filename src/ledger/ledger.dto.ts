import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ASSET_CODES } from '../common/money/assets.js';

export class LedgerAssetTotals {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'Sum of every debit entry' }) debits: string;
  @ApiProperty({ description: 'Sum of every credit entry (positive); equal to debits when balanced' }) credits: string;
}

/** One kind or the other: a cached balance that differs from its entries, or a transaction that does not sum to zero. */
export class LedgerMismatchView {
  @ApiProperty({ enum: ['cached_balance', 'unbalanced_transaction'] }) kind: string;
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiPropertyOptional() ledgerAccount?: string;
  @ApiPropertyOptional() cached?: string;
  @ApiPropertyOptional() fromEntries?: string;
  @ApiPropertyOptional() transactionId?: string;
  @ApiPropertyOptional() sum?: string;
}

export class LedgerCheckView {
  @ApiProperty() balanced: boolean;
  @ApiProperty({ type: [LedgerAssetTotals], description: 'Sorted by asset' }) assets: LedgerAssetTotals[];
  @ApiProperty({ type: [LedgerMismatchView] }) mismatches: LedgerMismatchView[];
}
