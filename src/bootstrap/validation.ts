import { ArgumentMetadata, ValidationError, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import { ValidationTypes, getMetadataStorage } from 'class-validator';
import { validationFailed } from '../common/errors/domain-error.js';
import { isPresent } from '../common/http/optional.js';

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

/** A body DTO made only of strings: each field's longest length, and whether it may be left out. */
type StringFields = Map<string, { maxLength: number; optional: boolean; isString: boolean }>;

/**
 * The DTO's fields when every rule on it is @IsString, @MaxLength or @Optional (common/http/
 * optional.ts) and nothing else (no groups, no `each`, no options); otherwise undefined.
 */
function stringFieldsOf(dto: new () => object): StringFields | undefined {
  const rules = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false, undefined);
  const fields: StringFields = new Map();
  for (const rule of rules) {
    if (rule.each || rule.always || rule.groups?.length) return undefined;
    const field = fields.get(rule.propertyName) ?? { maxLength: Infinity, optional: false, isString: false };
    fields.set(rule.propertyName, field);
    if (rule.type === ValidationTypes.CONDITIONAL_VALIDATION && rule.constraints?.length === 1 && rule.constraints[0] === isPresent) field.optional = true;
    else if (rule.type === ValidationTypes.CUSTOM_VALIDATION && rule.name === 'maxLength' && typeof rule.constraints?.[0] === 'number') field.maxLength = Math.min(field.maxLength, rule.constraints[0]);
    else if (rule.type === ValidationTypes.CUSTOM_VALIDATION && rule.name === 'isString' && !rule.constraints?.length) field.isString = true;
    else return undefined;
  }
  // A field without @IsString could hold anything: only the full check knows what it becomes.
  for (const field of fields.values()) if (!field.isString) return undefined;
  return fields.size > 0 ? fields : undefined;
}

/** The body already satisfies every rule of `fields`: only known fields, each a string short enough. */
function satisfies(body: unknown, fields: StringFields): body is Record<string, string> {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.getPrototypeOf(body) !== Object.prototype) return false;
  for (const key in body) {
    if (!Object.hasOwn(body, key)) return false;
    const field = fields.get(key);
    const value = (body as Record<string, unknown>)[key];
    // The raw length: class-validator counts a surrogate pair as one, so a longer string may still pass, and is left to it.
    if (!field || typeof value !== 'string' || value.length > field.maxLength) return false;
  }
  for (const [key, field] of fields) if (!field.optional && !Object.hasOwn(body, key)) return false;
  return true;
}

/**
 * Every body and query is checked against its DTO before a handler runs: unknown fields are
 * refused (not silently dropped), and types are never coerced (a "5" is not a 5).
 *
 * A body whose DTO is only strings (deposits, withdrawals, loans, repayments: the requests every
 * client sends most) and that already satisfies it is answered without class-transformer and
 * class-validator, which cost about a tenth of the API's CPU per deposit: the instance is
 * built as plainToInstance builds it (the DTO's constructor, then the body's fields in order).
 * Anything else, every refusal included, takes the full check, so its errors are its own.
 */
class DtoValidationPipe extends ValidationPipe {
  private readonly stringDtos = new WeakMap<object, StringFields | null>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = metadata.type === 'body' ? (metadata.metatype as (new () => object) | undefined) : undefined;
    if (dto) {
      let fields = this.stringDtos.get(dto);
      if (fields === undefined) this.stringDtos.set(dto, (fields = stringFieldsOf(dto) ?? null));
      if (fields && satisfies(value, fields)) return Object.assign(new dto(), value);
    }
    return super.transform(value, metadata);
  }
}

/** The rules of every check (the full one is ValidationPipe's with these). */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
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
};

export const validationPipe = new DtoValidationPipe(VALIDATION_OPTIONS);
