import { Operation } from '../common/http/api-docs.js';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Decimal } from '../common/money/decimal.js';
import { AMOUNT_PATTERN, checkAmount } from '../common/money/amount.js';
import { rateDigits } from '../common/money/rate-pattern.js';
import { invalidField } from '../common/errors/domain-error.js';
import { Compounding, aprFromApy, apyFromApr, growth, parseCompounding, realRate, showRate } from './compounding.js';

const RATE = new RegExp(`^${rateDigits(30)}$`);
const SIGNED_RATE = new RegExp(`^${rateDigits(30, true)}$`);
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

const RATE_QUERY = { type: 'string', pattern: RATE.source };

class ApyView {
  @ApiProperty() apr: string;
  @ApiProperty() compounding: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null for continuous compounding' }) periodsPerYear: number | null;
  @ApiProperty({ description: '(1 + apr/n)^n − 1, or e^apr − 1 when continuous' }) apy: string;
}

class AprView {
  @ApiProperty() apy: string;
  @ApiProperty() compounding: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null for continuous compounding' }) periodsPerYear: number | null;
  @ApiProperty({ description: 'The APR that compounds to apy' }) apr: string;
}

class RealRateView {
  @ApiProperty() nominal: string;
  @ApiProperty() inflation: string;
  @ApiProperty({ description: '(1 + nominal) / (1 + inflation) − 1' }) exact: string;
  @ApiProperty({ description: 'nominal − inflation' }) approximate: string;
}

class GrowthView {
  @ApiProperty() principal: string;
  @ApiProperty() apr: string;
  @ApiProperty() compounding: string;
  @ApiProperty({ type: Number, nullable: true, description: 'null for continuous compounding' }) periodsPerYear: number | null;
  @ApiProperty({ type: 'integer' }) days: number;
  @ApiProperty({ description: 'P·(1 + apr/n)^(n·days/365), or P·e^(apr·days/365) when continuous' }) finalAmount: string;
  @ApiProperty() interest: string;
}

/** Pure teaching calculators (api-contract, Calculators). The markets show APY with the same code. */
@ApiTags('calculators')
@Controller('v1/calc')
export class CalcController {
  @Get('apy')
  @Operation('APY from an APR and a compounding frequency')
  @ApiQuery({ name: 'apr', schema: { ...RATE_QUERY, example: '0.1' } })
  @ApiQuery({ name: 'compounding', schema: { type: 'string', example: 'daily' }, description: COMPOUNDING_HELP })
  @ApiOkResponse({ type: ApyView })
  apy(@Query('apr') rawApr: string, @Query('compounding') rawCompounding: string) {
    const apr = rate('apr', rawApr);
    const c = compounding(rawCompounding);
    return { apr: apr.toFixed(), compounding: c.name, periodsPerYear: c.periodsPerYear, apy: showRate(apyFromApr(apr, c.periodsPerYear)) };
  }

  @Get('apr')
  @Operation('The APR that compounds to an APY')
  @ApiQuery({ name: 'apy', schema: { ...RATE_QUERY, example: '0.1051557816' } })
  @ApiQuery({ name: 'compounding', schema: { type: 'string', example: 'daily' }, description: COMPOUNDING_HELP })
  @ApiOkResponse({ type: AprView })
  apr(@Query('apy') rawApy: string, @Query('compounding') rawCompounding: string) {
    const apy = rate('apy', rawApy);
    const c = compounding(rawCompounding);
    return { apy: apy.toFixed(), compounding: c.name, periodsPerYear: c.periodsPerYear, apr: showRate(aprFromApy(apy, c.periodsPerYear)) };
  }

  @Get('real-rate')
  @Operation('The real rate from a nominal rate and inflation')
  @ApiQuery({ name: 'nominal', schema: { ...RATE_QUERY, example: '0.06' } })
  @ApiQuery({ name: 'inflation', schema: { type: 'string', pattern: SIGNED_RATE.source, example: '0.04' }, description: 'May be negative, above −1' })
  @ApiOkResponse({ type: RealRateView })
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
  @Operation('What a principal grows to at an APR over some days')
  @ApiQuery({ name: 'principal', schema: { type: 'string', pattern: AMOUNT_PATTERN.source, example: '1000' } })
  @ApiQuery({ name: 'apr', schema: { ...RATE_QUERY, example: '0.1' } })
  @ApiQuery({ name: 'compounding', schema: { type: 'string', example: 'daily' }, description: COMPOUNDING_HELP })
  @ApiQuery({ name: 'days', schema: { type: 'string', pattern: '^(0|[1-9][0-9]{0,4})$', example: '365' }, description: 'Whole days, 0 to 36500' })
  @ApiOkResponse({ type: GrowthView })
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
