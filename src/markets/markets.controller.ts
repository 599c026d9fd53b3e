import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminOnly } from '../common/auth/auth.decorators.js';
import { MarketsService } from './markets.service.js';
import { MarketDayView, MarketView, RateCurvePointView, UpdateMarketDto } from './markets.dto.js';

@ApiTags('markets')
@Controller('v1/markets')
export class MarketsController {
  constructor(private readonly markets: MarketsService) {}

  @Get()
  @ApiOkResponse({ type: [MarketView] })
  list(): Promise<MarketView[]> {
    return this.markets.list();
  }

  @Get(':asset')
  @ApiOkResponse({ type: MarketView })
  get(@Param('asset') asset: string): Promise<MarketView> {
    return this.markets.get(asset);
  }

  @Put(':asset')
  @AdminOnly()
  @ApiOkResponse({ type: MarketView })
  update(@Param('asset') asset: string, @Body() body: UpdateMarketDto): Promise<MarketView> {
    return this.markets.update(asset, body);
  }

  @Get(':asset/rate-curve')
  @ApiQuery({ name: 'points', required: false, example: 21 })
  @ApiOkResponse({ type: [RateCurvePointView] })
  rateCurve(@Param('asset') asset: string, @Query('points') points?: string): Promise<RateCurvePointView[]> {
    return this.markets.rateCurve(asset, points);
  }

  @Get(':asset/history')
  @ApiQuery({ name: 'from', required: false, example: '2026-01-01' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12-31' })
  @ApiOkResponse({ type: [MarketDayView] })
  history(@Param('asset') asset: string, @Query('from') from?: string, @Query('to') to?: string): Promise<MarketDayView[]> {
    return this.markets.history(asset, from, to);
  }
}
