import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { startTestApp, TestApp } from '../support/test-app.js';
import { routesOf } from '../support/routes.js';
import { clientTypesFrom } from '../../scripts/lib/client-types.mjs';
import { depositBorrowRepay } from '../../client/example.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/*
 * The OpenAPI document tells the whole truth (issue 13). Every answer the e2e tests receive is
 * checked against it by test/support/test-app.ts; here: the document's own completeness, a
 * third-party linter, and a typed client generated from it that compiles and runs a flow.
 */
describe('the OpenAPI document', () => {
  let app: TestApp;
  let doc: Json;

  beforeAll(async () => {
    app = await startTestApp();
    doc = (await app.api().get('/docs-json').expect(200)).body;
  });
  afterAll(async () => {
    await app?.close();
  });

  const operations = () =>
    Object.entries(doc.paths as Json).flatMap(([p, item]) => Object.entries(item as Json).map(([method, op]) => ({ name: `${method.toUpperCase()} ${p}`, method, path: p, op: op as Json })));

  it('documents every route with a summary, its success schema, its security and its errors', () => {
    const documented = operations().map((o) => o.name).sort();
    const served = routesOf(app.app).map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:([a-zA-Z]+)/g, '{$1}')}`).sort();
    expect(documented).toEqual(served);
    const access = new Map(routesOf(app.app).map((r) => [`${r.method.toUpperCase()} ${r.path.replace(/:([a-zA-Z]+)/g, '{$1}')}`, r.access]));
    for (const { name, op } of operations()) {
      const success = Object.entries(op.responses as Json).find(([status]) => status.startsWith('2'));
      const problems = [];
      if (!op.summary) problems.push('no summary');
      if (!success?.[1].content?.['application/json']?.schema) problems.push('no success schema');
      if (!Object.keys(op.responses).some((s) => s.startsWith('4'))) problems.push('no 4xx');
      if (access.get(name) === 'public' && JSON.stringify(op.security) !== '[]') problems.push('public but keyed');
      if (access.get(name) !== 'public' && JSON.stringify(op.security) !== '[{"bearer":[]}]') problems.push('keyed but not bearer');
      if ((access.get(name) === 'admin') !== (op['x-admin-only'] === true)) problems.push('admin mark');
      if (access.get(name) === 'admin' && !op.responses['403']) problems.push('admin without 403');
      expect({ name, problems }).toEqual({ name, problems: [] });
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.bearer.bearerFormat).toBeUndefined();
    expect(doc.servers.length).toBeGreaterThan(0);
    expect(doc.info.license.name).toBe('MIT');
  });

  it('describes request bodies as strictly as the server checks them', () => {
    const schemas = doc.components.schemas;
    expect(schemas.DepositDto).toMatchObject({ additionalProperties: false, properties: { asset: { enum: ['BTC', 'ETH', 'SOL', 'USDC', 'USDT', 'LAB'] } } });
    expect(schemas.DepositDto.properties.amount.pattern).toBe('^(0|[1-9][0-9]*)(\\.[0-9]+)?$');
    expect(schemas.DepositDto.properties.network.enum).toEqual(['bitcoin', 'ethereum', 'solana', 'tron']);
    expect(schemas.AdvanceClockDto).toMatchObject({ additionalProperties: false, oneOf: [{ required: ['days'] }, { required: ['hours'] }] });
    expect(schemas.AdvanceClockDto.properties.days.type).toBe('integer');
    expect(schemas.RateModelPatch.additionalProperties).toBe(false);
    const deposit = doc.paths['/v1/accounts/{id}/deposits'].post;
    expect(deposit.parameters.find((p: Json) => p.name === 'Idempotency-Key').schema).toEqual({ type: 'string', minLength: 1, maxLength: 255 });
    expect(deposit.responses['409']).toBeUndefined();
    expect(deposit.responses['403'].content['application/json'].schema.allOf[1].properties.code.enum).toEqual(['KYC_REQUIRED']);
    expect(doc.paths['/v1/markets/{asset}'].get.parameters[0].schema.enum).toContain('BTC');
    for (const { name, op } of operations()) {
      for (const parameter of (op.parameters ?? []) as Json[]) {
        if (parameter.in === 'query' && parameter.schema?.example !== undefined) expect({ name, example: typeof parameter.schema.example }).toEqual({ name, example: 'string' });
      }
    }
  });

  it('passes Redocly’s recommended rules with no error', () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'lendlab-openapi-'));
    const file = path.join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    const lint = spawnSync(process.execPath, [path.resolve('node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--extends', 'recommended', '--format', 'json'], {
      encoding: 'utf8',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NODE_OPTIONS: '' },
      timeout: 120_000,
    });
    const report = JSON.parse(lint.stdout.slice(lint.stdout.indexOf('{')));
    const errors = report.problems.filter((p: Json) => p.severity === 'error').map((p: Json) => `${p.ruleId}: ${p.message} at ${p.location?.[0]?.pointer}`);
    expect(errors).toEqual([]);
    expect(report.totals.errors).toBe(0);
  }, 150_000);

  it('generates the committed typed client (client/lendlab-api.d.ts; `npm run client` rewrites it)', async () => {
    const committed = readFileSync('client/lendlab-api.d.ts', 'utf8');
    expect(await clientTypesFrom(doc)).toBe(committed);
  });

  it('runs the typed client’s deposit → borrow → price drop → repay flow against the server', async () => {
    const server = app.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const lender = (await app.admin.post('/v1/users').send({ name: 'house', kycStatus: 'approved' }).expect(201)).body;
    await app.api(lender.apiKey).post(`/v1/accounts/${lender.accounts[0].id}/deposits`).send({ asset: 'USDC', amount: '1000000' }).expect(201);
    const result = await depositBorrowRepay(baseUrl, 'test-admin-key-0123456789abcdef');
    expect(result).toMatchObject({ statusAfterDrop: 'margin_call', outstandingAfterRepay: '0.000000' });
  });
});
