import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';

export const KYC_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type KycStatusValue = (typeof KYC_STATUSES)[number];

export class CreateUserDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'alice' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiPropertyOptional({ enum: KYC_STATUSES, default: 'pending' })
  @IsOptional()
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
  label: string;

  @ApiPropertyOptional({ description: 'Admin only: the user who will own the account' })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class AccountRefView {
  @ApiProperty() id: string;
  @ApiProperty() label: string;
}

export class UserView {
  @ApiProperty() id: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: KYC_STATUSES }) kycStatus: string;
  @ApiProperty({ type: [AccountRefView] }) accounts: AccountRefView[];
}

export class CreatedUserView extends UserView {
  @ApiProperty({ description: 'Shown once; only its hash is stored' }) apiKey: string;
}
