import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiOperation } from '@nestjs/swagger';

/**
 * What the OpenAPI document says of an operation beyond Nest's own metadata. Each operation
 * names its summary and the error codes of its own rules by status; the errors every route of
 * its kind shares (bad input, keys, limits, an outage) are added by the document builder
 * (bootstrap/openapi.ts), so that they are written once.
 */
export type OwnErrors = Partial<Record<400 | 403 | 404 | 409 | 422, string[]>>;

/** Read and removed by bootstrap/openapi.ts. */
export const ERRORS_EXTENSION = 'x-lendlab-errors';
export const ACCESS_EXTENSION = 'x-lendlab-access';

export const Operation = (summary: string, errors: OwnErrors = {}) =>
  applyDecorators(ApiOperation({ summary }), ApiExtension(ERRORS_EXTENSION, errors));
