import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { completeDocument } from './openapi.js';

const TAGS: [string, string][] = [
  ['users', 'Users, KYC and their API keys (admin)'],
  ['accounts', 'Accounts, their positions, loans, statements and notifications'],
  ['deposits', 'Deposits (lent at once) and whole-position withdrawals after maturity'],
  ['loans', 'Borrowing against an account’s positions, and repaying'],
  ['markets', 'Rates, utilisation, indexes and risk levels per asset'],
  ['prices', 'The sandbox’s price oracle'],
  ['clock', 'The one clock: simulated by default, advanced by the admin'],
  ['settings', 'Lending period and liquidation fee'],
  ['ledger', 'The double-entry ledger’s own check'],
  ['scenarios', 'Stories played into data of their own'],
  ['calculators', 'APR, APY, real rate and growth, pure'],
  ['health', 'Is the API up, with its database and Redis'],
];

/**
 * OpenAPI document at /docs-json, Swagger UI at /docs; both open without a key. The document is
 * built on the first request for it (Swagger's factory form), not at start: it and its
 * intermediate copies are a few MiB the API would otherwise hold from start-up on
 * (bench/memory-at-rest.ts). test/e2e/openapi.test.ts checks it still matches the client.
 */
export function setupDocs(app: INestApplication, port: number): void {
  const builder = new DocumentBuilder()
    .setTitle('LendLab')
    .setDescription(
      'A sandbox CeFi lending platform. Amounts, prices, rates and indexes are decimal strings. ' +
        'Send `Authorization: Bearer <key>`; errors are `{ statusCode, code, message, details }`. ' +
        'Money-moving POSTs take an `Idempotency-Key`.',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/licenses/MIT')
    .addServer(`http://127.0.0.1:${port}`, 'This LendLab (the sandbox prints its address)')
    .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'An opaque API key (not a JWT): a user’s (from POST /v1/users) or the admin key' });
  for (const [name, description] of TAGS) builder.addTag(name, description);
  const config = builder.build();
  SwaggerModule.setup('docs', app, () => completeDocument(SwaggerModule.createDocument(app, config)), { jsonDocumentUrl: 'docs-json' });
}
