import { ValidationError, ValidationPipe } from '@nestjs/common';
import { validationFailed } from '../common/errors/domain-error.js';

/** `{ "amount": ["amount must be a string"], "rateModel.slope1": [...] }` */
function fieldProblems(errors: ValidationError[], parent = ''): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const error of errors) {
    const path = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) fields[path] = Object.values(error.constraints);
    Object.assign(fields, fieldProblems(error.children ?? [], path));
  }
  return fields;
}

/**
 * Every body and query is checked against its DTO before a handler runs: unknown fields are
 * refused (not silently dropped), and types are never coerced (a "5" is not a 5).
 */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  transformOptions: { enableImplicitConversion: false },
  validationError: { target: false, value: false },
  exceptionFactory: (errors) => {
    const fields = fieldProblems(errors);
    const first = Object.values(fields)[0]?.[0] ?? 'the request is invalid';
    return validationFailed(first, { fields });
  },
});
