import { Operation } from '../common/http/api-docs.js';
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
  @Operation('Every market: rates (APR and APY), utilisation, liquidity, indexes, parameters')
  @ApiOkResponse({ type: [MarketView] })
  list(): Promise<MarketView[]> {
    return this.markets.list();
  }

  @Get(':asset')
  @Operation('One market', { 400: ['UNKNOWN_ASSET'] })
  @ApiOkResponse({ type: MarketView })
  get(@Param('asset') asset: string): Promise<MarketView> {
    return this.markets.get(asset);
  }

  @Put(':asset')
  @AdminOnly()
  @Operation('Change a market’s rate model (from the next 00:00) or risk levels', { 400: ['UNKNOWN_ASSET'] })
  @ApiOkResponse({ type: MarketView })
  update(@Param('asset') asset: string, @Body() body: UpdateMarketDto): Promise<MarketView> {
    return this.markets.update(asset, body);
  }

  @Get(':asset/rate-curve')
  @Operation('The borrow and supply rate at evenly spaced utilisations', { 400: ['UNKNOWN_ASSET'] })
  @ApiQuery({ name: 'points', required: false, schema: { type: 'string', pattern: '^[0-9]{1,4}$', example: '21' }, description: 'From 2 to 1001 (default 21)' })
  @ApiOkResponse({ type: [RateCurvePointView] })
  rateCurve(@Param('asset') asset: string, @Query('points') points?: string): Promise<RateCurvePointView[]> {
    return this.markets.rateCurve(asset, points);
  }

  @Get(':asset/history')
  @Operation('One row per accrued day: utilisation, rates and end-of-day indexes', { 400: ['UNKNOWN_ASSET'] })
  @ApiQuery({ name: 'from', required: false, example: '2026-01-01' })
  @ApiQuery({ name: 'to', required: false, example: '2026-12-31' })
  @ApiOkResponse({ type: [MarketDayView] })
  history(@Param('asset') asset: string, @Query('from') from?: string, @Query('to') to?: string): Promise<MarketDayView[]> {
    return this.markets.history(asset, from, to);
  }
}
