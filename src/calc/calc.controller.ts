import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Decimal } from '../common/money/decimal.js';
import { checkAmount } from '../common/money/amount.js';
import { invalidField } from '../common/errors/domain-error.js';
import { Compounding, aprFromApy, apyFromApr, growth, parseCompounding, realRate, showRate } from './compounding.js';

const RATE = /^(0|[1-9][0-9]{0,2})(\.[0-9]{1,30})?$/;
const SIGNED_RATE = /^-?(0|[1-9][0-9]{0,2})(\.[0-9]{1,30})?$/;
const COMPOUNDING_HELP = 'annual, semiannual, quarterly, monthly, weekly, daily, hourly, continuous, or a whole number from 1 to 1000000';

function rate(name: string, raw: unknown): Decimal {
  if (typeof raw !== 'string' || !RATE.test(raw) || new Decimal(raw).gt(100)) {
    throw invalidField(name, 'must be a plain decimal from 0 to 100, such as 0.1 for 10%');
  }
  return new Decimal(raw);
}

function compounding(raw: unknown): Compounding {
  const parsed = typeof raw === 'string' ? parseCompounding(raw) : undefined;
  if (!parsed) throw invalidField('compounding', `must be ${COMPOUNDING_HELP}`);
  return parsed;
}

/** Pure teaching calculators (api-contract, Calculators). The markets show APY with the same code. */
@ApiTags('calculators')
@Controller('v1/calc')
export class CalcController {
  @Get('apy')
  @ApiQuery({ name: 'apr', example: '0.1' })
  @ApiQuery({ name: 'compounding', example: 'daily', description: COMPOUNDING_HELP })
  @ApiOkResponse({ description: '{ apr, compounding, periodsPerYear, apy }' })
  apy(@Query('apr') rawApr: string, @Query('compounding') rawCompounding: string) {
    const apr = rate('apr', rawApr);
    const c = compounding(rawCompounding);
    return { apr: apr.toFixed(), compounding: c.name, periodsPerYear: c.periodsPerYear, apy: showRate(apyFromApr(apr, c.periodsPerYear)) };
  }

  @Get('apr')
  @ApiQuery({ name: 'apy', example: '0.1051557816' })
  @ApiQuery({ name: 'compounding', example: 'daily', description: COMPOUNDING_HELP })
  @ApiOkResponse({ description: '{ apy, compounding, periodsPerYear, apr }' })
  apr(@Query('apy') rawApy: string, @Query('compounding') rawCompounding: string) {
    const apy = rate('apy', rawApy);
    const c = compounding(rawCompounding);
    return { apy: apy.toFixed(), compounding: c.name, periodsPerYear: c.periodsPerYear, apr: showRate(aprFromApy(apy, c.periodsPerYear)) };
  }

  @Get('real-rate')
  @ApiQuery({ name: 'nominal', example: '0.06' })
  @ApiQuery({ name: 'inflation', example: '0.04', description: 'May be negative, above −1' })
  @ApiOkResponse({ description: '{ nominal, inflation, exact, approximate }' })
  realRate(@Query('nominal') rawNominal: string, @Query('inflation') rawInflation: string) {
    const nominal = rate('nominal', rawNominal);
    if (typeof rawInflation !== 'string' || !SIGNED_RATE.test(rawInflation) || new Decimal(rawInflation).lte(-1) || new Decimal(rawInflation).gt(100)) {
      throw invalidField('inflation', 'must be a plain decimal above -1 and at most 100, such as 0.04');
    }
    const inflation = new Decimal(rawInflation);
    const result = realRate(nominal, inflation);
    return { nominal: nominal.toFixed(), inflation: inflation.toFixed(), exact: showRate(result.exact), approximate: result.approximate.toFixed() };
  }

  @Get('growth')
  @ApiQuery({ name: 'principal', example: '1000' })
  @ApiQuery({ name: 'apr', example: '0.1' })
  @ApiQuery({ name: 'compounding', example: 'daily', description: COMPOUNDING_HELP })
  @ApiQuery({ name: 'days', example: 365 })
  @ApiOkResponse({ description: '{ principal, apr, compounding, periodsPerYear, days, finalAmount, interest }' })
  growth(
    @Query('principal') rawPrincipal: string,
    @Query('apr') rawApr: string,
    @Query('compounding') rawCompounding: string,
    @Query('days') rawDays: string,
  ) {
    const checked = checkAmount(rawPrincipal, 18);
    if (!checked.ok) throw invalidField('principal', checked.message);
    const apr = rate('apr', rawApr);
    const c = compounding(rawCompounding);
    if (typeof rawDays !== 'string' || !/^(0|[1-9][0-9]{0,4})$/.test(rawDays) || Number(rawDays) > 36500) {
      throw invalidField('days', 'must be a whole number from 0 to 36500');
    }
    const days = Number.parseInt(rawDays, 10); // a whole count of days (checked above), not money
    const finalAmount = growth(checked.value, apr, c.periodsPerYear, days);
    return {
      principal: checked.value.toFixed(),
      apr: apr.toFixed(),
      compounding: c.name,
      periodsPerYear: c.periodsPerYear,
      days,
      finalAmount: showRate(finalAmount),
      interest: showRate(finalAmount.minus(checked.value)),
    };
  }
}
