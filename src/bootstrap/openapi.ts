import type { OpenAPIObject } from '@nestjs/swagger';
import { ASSET_CODES } from '../common/money/assets.js';
import { ACCESS_EXTENSION, ERRORS_EXTENSION, OwnErrors } from '../common/http/api-docs.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
export const ERROR_SCHEMA = 'Error';

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad input: nothing was changed',
  401: 'No key, or a key LendLab does not know',
  403: 'Not allowed for this key (or this user)',
  404: 'Not found, or not yours',
  408: 'The request arrived too slowly',
  409: 'Refused by a rule of the platform: nothing was changed',
  413: 'The body is larger than the limit',
  415: 'The body is not JSON',
  422: 'Understood but refused: nothing was changed',
  429: 'Too many failed authentications from this address; wait a minute',
  431: 'The request line or headers are too large',
  500: 'A fault of LendLab’s own',
  503: 'The database cannot be reached; send the request again (with its Idempotency-Key)',
};

/**
 * The document Nest builds from the decorators, completed with what every operation of a kind
 * shares, so that each rule is written once: security (none on public routes, the bearer key
 * elsewhere, admin-only marked with `x-admin-only` and in the description), the error answers
 * of its kind merged with its own (one shared Error schema, `code` listing that status's codes),
 * path and query parameters as strict as the server (assets, ids, dates), and request bodies
 * that refuse unknown fields. Pure, so it can be tested on its own.
 */
export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  const doc = structuredClone(document) as Json;
  doc.components.schemas ??= {};
  doc.components.schemas[ERROR_SCHEMA] = errorSchema();
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of METHODS) {
      const operation = item[method] as Json | undefined;
      if (operation) completeOperation(path, operation);
    }
  }
  for (const name of requestSchemas(doc)) refuseUnknownFields(doc.components.schemas[name]);
  const advance = doc.components.schemas.AdvanceClockDto;
  if (advance) advance.oneOf = [{ required: ['days'] }, { required: ['hours'] }];
  return doc as OpenAPIObject;
}

function completeOperation(path: string, operation: Json): void {
  const access: string = operation[ACCESS_EXTENSION] ?? 'user';
  const own: OwnErrors = operation[ERRORS_EXTENSION] ?? {};
  delete operation[ACCESS_EXTENSION];
  delete operation[ERRORS_EXTENSION];
  const codes = new Map<number, Set<string>>();
  const add = (status: number, ...names: string[]) => codes.set(status, new Set([...(codes.get(status) ?? []), ...names]));
  for (const [status, names] of Object.entries(own)) add(Number(status), ...(names ?? []));

  const parameters: Json[] = operation.parameters ?? [];
  for (const parameter of parameters) tightenParameter(parameter);
  if (parameters.some((p) => p.in === 'path' || p.in === 'query')) add(400, 'VALIDATION_FAILED');
  if (parameters.some((p) => p.in === 'header' && p.name === 'Idempotency-Key')) {
    add(400, 'VALIDATION_FAILED');
    add(422, 'IDEMPOTENCY_KEY_REUSED');
  }
  if (operation.requestBody) {
    add(400, 'VALIDATION_FAILED');
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (access === 'public') {
    operation.security = [];
  } else {
    operation.security = [{ bearer: [] }];
    add(401, 'UNAUTHENTICATED');
    add(429, 'RATE_LIMITED');
  }
  if (access === 'admin') {
    add(403, 'FORBIDDEN');
    operation['x-admin-only'] = true;
    operation.description = ['**Admin key only.**', operation.description].filter(Boolean).join(' ');
  }
  // Node's parser answers these before any route is chosen, so any operation may get them.
  add(408, 'REQUEST_TIMEOUT');
  add(431, 'HEADERS_TOO_LARGE');
  // /health reports an outage in its own body; everything else answers 503 while the database is
  // away, and 500 for a fault of LendLab's own (a bug: the body says no more than that).
  if (path !== '/health') {
    add(500, 'INTERNAL');
    add(503, 'SERVICE_UNAVAILABLE');
  }
  for (const [status, names] of [...codes].sort(([a], [b]) => a - b)) {
    operation.responses[String(status)] ??= errorResponse(status, [...names].sort());
  }
}

function errorSchema(): Json {
  return {
    type: 'object',
    description: 'Every 4xx and 5xx answer, whatever produced it (api-contract, Conventions)',
    required: ['statusCode', 'code', 'message', 'details'],
    additionalProperties: false,
    properties: {
      statusCode: { type: 'integer', example: 409 },
      code: { type: 'string', description: 'Machine-readable; each operation lists the codes it may answer', example: 'POSITION_LOCKED' },
      message: { type: 'string', description: 'A human sentence', example: 'The BTC position is locked until 2026-01-08T00:00:00.000Z' },
      details: { type: 'object', additionalProperties: true, description: 'What the code is about, e.g. fields (VALIDATION_FAILED) or maturesAt (POSITION_LOCKED)' },
    },
  };
}

function errorResponse(status: number, codes: string[]): Json {
  return {
    description: `${STATUS_TEXT[status] ?? 'Error'}: ${codes.join(', ')}`,
    content: {
      'application/json': {
        schema: {
          allOf: [
            { $ref: `#/components/schemas/${ERROR_SCHEMA}` },
            { type: 'object', properties: { statusCode: { type: 'integer', enum: [status] }, code: { type: 'string', enum: codes } } },
          ],
        },
      },
    },
  };
}

/** Parameters named alike mean alike everywhere: an asset code, an id, a calendar date. */
function tightenParameter(parameter: Json): void {
  if (parameter.in === 'path' && parameter.name === 'asset') {
    parameter.schema = { type: 'string', enum: ASSET_CODES };
    parameter.description ??= 'An asset code, upper case';
  }
  if (parameter.in === 'path' && parameter.name === 'id') parameter.schema = { type: 'string', format: 'uuid' };
  if (parameter.in === 'query' && (parameter.name === 'from' || parameter.name === 'to')) {
    parameter.schema = { type: 'string', format: 'date' };
    parameter.description ??= 'A date, YYYY-MM-DD (UTC), inclusive';
  }
  if (parameter.in === 'header' && parameter.name === 'Idempotency-Key') parameter.schema = { type: 'string', minLength: 1, maxLength: 255 };
}

/** The schemas request bodies use, and the schemas those refer to. */
function requestSchemas(doc: Json): Set<string> {
  const names = new Set<string>();
  const visit = (schema: Json | undefined): void => {
    if (!schema || typeof schema !== 'object') return;
    const ref: string | undefined = schema.$ref;
    if (ref) {
      const name = ref.split('/').pop()!;
      if (!names.has(name)) {
        names.add(name);
        visit(doc.components.schemas[name]);
      }
      return;
    }
    for (const value of Object.values(schema)) if (value && typeof value === 'object') visit(value as Json);
  };
  for (const item of Object.values(doc.paths as Json)) {
    for (const method of METHODS) visit((item as Json)[method]?.requestBody);
  }
  return names;
}

/** The server refuses fields it does not know (400 VALIDATION_FAILED); so does the document. */
function refuseUnknownFields(schema: Json | undefined): void {
  if (schema?.type === 'object') schema.additionalProperties = false;
}
