import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI document at /docs-json, Swagger UI at /docs; both open without a key. */
export function setupDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('LendLab')
    .setDescription(
      'A sandbox CeFi lending platform. Amounts, prices, rates and indexes are decimal strings. ' +
        'Send `Authorization: Bearer <key>`; errors are `{ statusCode, code, message, details }`.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
