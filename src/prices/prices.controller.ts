import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { invalidField } from '../common/errors/domain-error.js';
import { RiskSweeps } from '../risk/risk.jobs.js';
import { IsString } from 'class-validator';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { PricesService, PriceView } from './prices.service.js';

export class SetPriceDto {
  @ApiProperty({ example: '65000', description: 'USD, a decimal string > 0 with at most 18 decimals' })
  @IsString()
  price: string;
}

@ApiTags('prices')
@Controller('v1/prices')
export class PricesController {
  constructor(
    private readonly prices: PricesService,
    private readonly sweeps: RiskSweeps,
  ) {}

  @Get()
  @ApiOkResponse({ description: '[{ asset, price, at }]' })
  list(): Promise<PriceView[]> {
    return this.prices.list();
  }

  /** Every change starts a risk sweep; with `?wait=true` the answer comes after its margin calls and liquidations. */
  @Put(':asset')
  @AdminOnly()
  @ApiQuery({ name: 'wait', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ description: '{ asset, price, at }' })
  async set(@Param('asset') asset: string, @Body() body: SetPriceDto, @Query('wait') wait?: string): Promise<PriceView> {
    if (wait !== undefined && wait !== 'true' && wait !== 'false') throw invalidField('wait', 'must be true or false');
    const { pointId, ...view } = await this.prices.set(asset, body.price);
    await this.sweeps.sweep(`price-${pointId}`, wait === 'true');
    return view;
  }
}
