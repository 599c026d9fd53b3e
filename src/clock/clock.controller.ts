import { Operation } from '../common/http/api-docs.js';
import { Optional } from '../common/http/optional.js';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { validationFailed } from '../common/errors/domain-error.js';
import { ClockService } from './clock.service.js';

export class AdvanceClockDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 3650, description: 'Whole days to move forward (give days or hours, not both)' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(3650)
  days?: number;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 87600, description: 'Whole hours to move forward (give days or hours, not both)' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(87600)
  hours?: number;
}

class ClockView {
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z', format: 'date-time' }) now: string;
  @ApiProperty({ enum: ['simulated', 'realtime'] }) mode: string;
}

class AdvanceView {
  @ApiProperty({ format: 'date-time' }) now: string;
  @ApiProperty({ type: 'integer', description: 'How many 00:00 UTC boundaries were crossed (each accrued)' }) daysAccrued: number;
}

@ApiTags('clock')
@Controller('v1/clock')
export class ClockController {
  constructor(private readonly clock: ClockService) {}

  @Get()
  @Operation('What time it is for LendLab')
  @ApiOkResponse({ type: ClockView })
  async get(): Promise<ClockView> {
    return { now: (await this.clock.now()).toISOString(), mode: this.clock.mode };
  }

  @Post('advance')
  @HttpCode(200)
  @AdminOnly()
  @Operation('Move simulated time forward by whole days or hours (exactly one of them)', { 409: ['CLOCK_NOT_SIMULATED'] })
  @ApiOkResponse({ type: AdvanceView, description: 'After every crossed day’s accrual and sweeps, and the sweep at the target' })
  async advance(@Body() body: AdvanceClockDto): Promise<AdvanceView> {
    if ((body.days === undefined) === (body.hours === undefined)) {
      throw validationFailed('Give exactly one of days or hours', { fields: { days: ['exactly one of days or hours'] } });
    }
    const result = await this.clock.advance(body);
    return { now: result.now.toISOString(), daysAccrued: result.daysAccrued };
  }
}
