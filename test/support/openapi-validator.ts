import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Checks answers against the OpenAPI document the application serves: the status must be one
 * the operation declares, and the body must match that response's schema. Documented objects
 * are closed (a field the document does not list fails), so the document must tell the whole
 * truth, not just part of it. Requests to paths the document does not have are not judged.
 */
export class ResponseValidator {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly operations: { method: string; pattern: RegExp; path: string; operation: Json }[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(document: Json) {
    addFormats(this.ajv);
    const closed = structuredClone(document);
    for (const schema of Object.values(closed.components?.schemas ?? {}) as Json[]) {
      if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
    }
    this.ajv.addSchema(closed, 'doc');
    for (const [path, item] of Object.entries(closed.paths as Json)) {
      const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      for (const [method, operation] of Object.entries(item as Json)) this.operations.push({ method, pattern, path, operation });
    }
  }

  /** A sentence saying what is wrong, or null when the answer is as documented. */
  problem(method: string, url: string, status: number, body: unknown, contentType: string | undefined): string | null {
    const path = url.split('?')[0];
    const found = this.operations.find((o) => o.method === method.toLowerCase() && o.pattern.test(path));
    if (!found) return null;
    const response = found.operation.responses?.[String(status)];
    const where = `${method.toUpperCase()} ${found.path}`;
    if (!response) return `${where} answered ${status}, which its document does not declare (${Object.keys(found.operation.responses ?? {}).join(', ')})`;
    if (!response.content?.['application/json']) return null;
    if (!contentType?.includes('application/json')) return `${where} answered ${status} with ${contentType ?? 'no content type'}, documented as JSON`;
    const key = `${found.method} ${found.path} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const pointer = ['paths', found.path, found.method, 'responses', String(status), 'content', 'application/json', 'schema']
        .map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1'))
        .join('/');
      validate = this.ajv.compile({ $ref: `doc#/${pointer}` });
      this.compiled.set(key, validate);
    }
    if (validate(body)) return null;
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    return `${where} answered ${status} with a body its document does not describe: ${errors.join('; ')}\n  body: ${JSON.stringify(body).slice(0, 600)}`;
  }
}
