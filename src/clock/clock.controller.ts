import { Optional } from '../common/http/optional.js';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { validationFailed } from '../common/errors/domain-error.js';
import { ClockService } from './clock.service.js';

export class AdvanceClockDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 3650, description: 'Whole days to move forward' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(3650)
  days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 87600, description: 'Whole hours to move forward' })
  @Optional()
  @IsInt()
  @Min(1)
  @Max(87600)
  hours?: number;
}

class ClockView {
  @ApiProperty({ example: '2026-01-01T00:00:00.000Z' }) now: string;
  @ApiProperty({ enum: ['simulated', 'realtime'] }) mode: string;
}

class AdvanceView {
  @ApiProperty() now: string;
  @ApiProperty({ description: 'How many 00:00 UTC boundaries were crossed (each accrued)' }) daysAccrued: number;
}

@ApiTags('clock')
@Controller('v1/clock')
export class ClockController {
  constructor(private readonly clock: ClockService) {}

  @Get()
  @ApiOkResponse({ type: ClockView })
  async get(): Promise<ClockView> {
    return { now: (await this.clock.now()).toISOString(), mode: this.clock.mode };
  }

  @Post('advance')
  @HttpCode(200)
  @AdminOnly()
  @ApiOkResponse({ type: AdvanceView })
  async advance(@Body() body: AdvanceClockDto): Promise<AdvanceView> {
    if ((body.days === undefined) === (body.hours === undefined)) {
      throw validationFailed('Give exactly one of days or hours', { fields: { days: ['exactly one of days or hours'] } });
    }
    const result = await this.clock.advance(body);
    return { now: result.now.toISOString(), daysAccrued: result.daysAccrued };
  }
}
