import { ApiProperty } from '@nestjs/swagger';
import { ASSET_CODES } from '../common/money/assets.js';
import { PositionViewDto } from '../deposits/deposits.dto.js';
import { LoanViewDto } from '../loans/loans.dto.js';

const RATIO = { type: String, nullable: true, description: 'A fraction; null without collateral (or, for ltv, without debt)' };

export class AccountViewDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() label: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ enum: ['base', 'silver', 'gold', 'platinum'], description: 'Loyalty tier, set at each 00:00 UTC' }) tier: string;
  @ApiProperty({ type: [PositionViewDto] }) positions: PositionViewDto[];
  @ApiProperty({ type: [LoanViewDto] }) loans: LoanViewDto[];
  @ApiProperty({ description: 'USD, every position at current prices (locked ones count)' }) collateralValue: string;
  @ApiProperty({ description: 'USD' }) debtValue: string;
  @ApiProperty({ ...RATIO, description: 'debtValue / collateralValue; null without debt' }) ltv: string | null;
  @ApiProperty(RATIO) maxLtv: string | null;
  @ApiProperty(RATIO) marginCallLtv: string | null;
  @ApiProperty(RATIO) liquidationLtv: string | null;
  @ApiProperty({ enum: ['healthy', 'margin_call', 'liquidating'] }) status: string;
}

export class AccountDayPositionView {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'At the asset’s decimals, rounded down' }) amount: string;
}

export class AccountDayLoanView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'At the asset’s decimals, rounded up' }) outstanding: string;
}

/** The account at one day's 00:00 (GET /v1/accounts/:id/history). */
export class AccountDayViewDto {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty({ format: 'date-time', description: '00:00 UTC of the day: the instant shown' }) at: string;
  @ApiProperty({ enum: ['base', 'silver', 'gold', 'platinum'], description: 'The tier set at that instant' }) tier: string;
  @ApiProperty({ type: [AccountDayPositionView], description: 'Open positions, by asset' }) positions: AccountDayPositionView[];
  @ApiProperty({ type: [AccountDayLoanView], description: 'Open loans, oldest first' }) loans: AccountDayLoanView[];
  @ApiProperty({ description: 'USD, at that instant’s prices' }) collateralValue: string;
  @ApiProperty({ description: 'USD' }) debtValue: string;
  @ApiProperty({ ...RATIO, description: 'debtValue / collateralValue; null without debt' }) ltv: string | null;
  @ApiProperty({ ...RATIO, description: 'Weighted by that instant’s collateral, with the markets’ current levels' }) maxLtv: string | null;
  @ApiProperty(RATIO) marginCallLtv: string | null;
  @ApiProperty(RATIO) liquidationLtv: string | null;
  @ApiProperty({ enum: ['healthy', 'margin_call', 'liquidating'] }) status: string;
}

export class StatementLineView {
  @ApiProperty({ description: 'The ledger transaction id, or interest-<date>-<asset>-<kind> for a day’s interest' }) id: string;
  @ApiProperty({ example: 'deposit', description: 'deposit, withdrawal, borrow, repayment, interest, liquidation, bad_debt, ...' }) type: string;
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'At the asset’s decimals' }) amount: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: String, nullable: true }) description: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The transaction’s own figures' }) details: Record<string, unknown>;
}

export class InterestLineView {
  @ApiProperty({ format: 'date' }) date: string;
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ enum: ['earned', 'charged'] }) kind: string;
  @ApiProperty({ description: 'Earned rounds down, charged rounds up, at the asset’s decimals' }) amount: string;
}

export class NotificationViewDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'margin_call', description: 'margin_call, margin_call_warning (the platform’s extra levels, settings.marginCallWarnings), liquidation, maturity, tier_change' }) type: string;
  @ApiProperty({ format: 'date-time' }) at: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The notice’s figures, e.g. repayToRecover and addCollateralToRecover (USD, rounded up) for a margin call' })
  data: Record<string, unknown>;
}
