import 'reflect-metadata';
import { describe, expect, it, jest } from '@jest/globals';
import { ValidationPipe } from '@nestjs/common';
import type { ArgumentMetadata } from '@nestjs/common';
import { VALIDATION_OPTIONS, validationPipe } from './validation.js';
import { DepositDto, WithdrawalDto } from '../deposits/deposits.dto.js';

/** The pipe as it was, without the fast path for string-only bodies: the reference. */
const reference = new ValidationPipe(VALIDATION_OPTIONS);

async function outcome(pipe: ValidationPipe, value: unknown, metatype: new () => object): Promise<unknown> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  try {
    const result = await pipe.transform(value, metadata);
    return { result, isInstance: result instanceof metatype, keys: Object.keys(result as object) };
  } catch (error) {
    return { error: (error as { toBody?: () => unknown }).toBody?.() ?? String(error) };
  }
}

describe('validation of string-only bodies', () => {
  const bodies: unknown[] = [
    { asset: 'USDC', amount: '10.5' },
    { amount: '10.5', asset: 'USDC', network: 'ethereum' },
    { asset: 'USDC' },
    { asset: 'USDC', amount: 10 },
    { asset: 'USDC', amount: null },
    { asset: 'USDC', amount: '1', network: null },
    { asset: 'USDC', amount: '1', extra: 'x' },
    { asset: 'x'.repeat(20), amount: '1' },
    { asset: 'x'.repeat(21), amount: '1' },
    { asset: '😀'.repeat(15), amount: '1' },
    { asset: 'USDC', amount: '1'.repeat(65) },
    [],
    'USDC',
    null,
    {},
  ];

  it('answers exactly as the full check does, successes and refusals alike', async () => {
    for (const dto of [DepositDto, WithdrawalDto]) {
      for (const body of bodies) {
        const copy = () => (body && typeof body === 'object' ? structuredClone(body) : body);
        expect({ dto: dto.name, body, outcome: await outcome(validationPipe, copy(), dto) }).toEqual({ dto: dto.name, body, outcome: await outcome(reference, copy(), dto) });
      }
    }
  });

  it('takes the full check only for what it does not know to be valid', async () => {
    const full = jest.spyOn(ValidationPipe.prototype, 'transform');
    try {
      await outcome(validationPipe, { asset: 'USDC', amount: '1', network: 'ethereum' }, DepositDto);
      await outcome(validationPipe, { asset: 'USDC' }, WithdrawalDto);
      expect(full).not.toHaveBeenCalled();
      await outcome(validationPipe, { asset: 'USDC', amount: 1 }, DepositDto);
      expect(full).toHaveBeenCalledTimes(1);
    } finally {
      full.mockRestore();
    }
  });
});
