import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
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
  constructor(private readonly prices: PricesService) {}

  @Get()
  @ApiOkResponse({ description: '[{ asset, price, at }]' })
  list(): Promise<PriceView[]> {
    return this.prices.list();
  }

  @Put(':asset')
  @AdminOnly()
  @ApiOkResponse({ description: '{ asset, price, at }' })
  set(@Param('asset') asset: string, @Body() body: SetPriceDto): Promise<PriceView> {
    return this.prices.set(asset, body.price);
  }
}
