import { it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import request from 'supertest';
import { startTestApp } from '../support/test-app.js';
import { clientTypesFrom } from '../../scripts/lib/client-types.mjs';

it('writes the client (temporary)', async () => {
  const app = await startTestApp();
  const doc = (await request(app.app.getHttpServer()).get('/docs-json').expect(200)).body;
  writeFileSync('client/lendlab-api.d.ts', await clientTypesFrom(doc));
  await app.close();
}, 120_000);
