import { Operation } from '../common/http/api-docs.js';
import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { invalidField } from '../common/errors/domain-error.js';
import { IsString } from 'class-validator';
import { AMOUNT_PATTERN } from '../common/money/amount.js';
import { ASSET_CODES } from '../common/money/assets.js';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { PricesService, PriceView } from './prices.service.js';
import { PriceMoves } from './price-moves.js';

export class SetPriceDto {
  @ApiProperty({ example: '65000', pattern: AMOUNT_PATTERN.source, maxLength: 64, description: 'USD, a decimal string > 0 with at most 18 decimals' })
  @IsString()
  price: string;
}

export class PriceViewDto {
  @ApiProperty({ enum: ASSET_CODES }) asset: string;
  @ApiProperty({ description: 'USD' }) price: string;
  @ApiProperty({ format: 'date-time', description: 'When it was set (the clock’s time)' }) at: string;
}

@ApiTags('prices')
@Controller('v1/prices')
export class PricesController {
  constructor(
    private readonly prices: PricesService,
    private readonly moves: PriceMoves,
  ) {}

  @Get()
  @Operation('The current price of every asset that has one')
  @ApiOkResponse({ type: [PriceViewDto] })
  list(): Promise<PriceView[]> {
    return this.prices.list();
  }

  /** Every change starts a risk sweep; with `?wait=true` the answer comes after its margin calls and liquidations. */
  @Put(':asset')
  @AdminOnly()
  @Operation('Set a price; margin calls and liquidations follow', { 400: ['UNKNOWN_ASSET'] })
  @ApiQuery({ name: 'wait', required: false, enum: ['true', 'false'], description: 'true: answer after the margin calls and liquidations it causes' })
  @ApiOkResponse({ type: PriceViewDto })
  async set(@Param('asset') asset: string, @Body() body: SetPriceDto, @Query('wait') wait?: string): Promise<PriceView> {
    if (wait !== undefined && wait !== 'true' && wait !== 'false') throw invalidField('wait', 'must be true or false');
    const { pointId, ...view } = await this.prices.set(asset, body.price);
    await this.moves.moved(pointId, wait === 'true');
    return view;
  }
}
