import { Optional } from '../common/http/optional.js';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, IsUUID, Length, Matches } from 'class-validator';

/** Printable text: no control characters (Postgres refuses NUL, and no one needs a bell in a label). */
const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;
const PRINTABLE_MESSAGE = { message: '$property must not contain control characters' };

export const KYC_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type KycStatusValue = (typeof KYC_STATUSES)[number];

export class CreateUserDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'alice' })
  @IsString()
  @Length(1, 100)
  @Matches(PRINTABLE, PRINTABLE_MESSAGE)
  name: string;

  @ApiPropertyOptional({ enum: KYC_STATUSES, default: 'pending' })
  @Optional()
  @IsIn(KYC_STATUSES)
  kycStatus?: KycStatusValue;
}

export class SetKycDto {
  @ApiProperty({ enum: KYC_STATUSES })
  @IsIn(KYC_STATUSES)
  status: KycStatusValue;
}

export class CreateAccountDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'trading' })
  @IsString()
  @Length(1, 100)
  @Matches(PRINTABLE, PRINTABLE_MESSAGE)
  label: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Admin key only (and then required): the user who will own the account' })
  @Optional()
  @IsUUID()
  userId?: string;
}

export class AccountRefView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() label: string;
}

export class AccountListItemView extends AccountRefView {
  @ApiProperty({ format: 'uuid' }) userId: string;
}

export class UserView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: KYC_STATUSES }) kycStatus: string;
  @ApiProperty({ type: [AccountRefView] }) accounts: AccountRefView[];
}

export class CreatedUserView extends UserView {
  @ApiProperty({ description: 'Shown once; only its hash is stored' }) apiKey: string;
}
