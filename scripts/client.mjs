#!/usr/bin/env node
// `npm run client [-- <url of the OpenAPI document>]`: writes client/lendlab-api.d.ts from a
// running LendLab's document (default: the sandbox at http://127.0.0.1:$PORT/docs-json).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { clientTypesFrom } from './lib/client-types.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? 3000}/docs-json`;
try {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const target = path.join(root, 'client', 'lendlab-api.d.ts');
  writeFileSync(target, await clientTypesFrom(await response.json()));
  console.log(`wrote ${path.relative(root, target)} from ${url}`);
} catch (error) {
  console.error(`Could not read the OpenAPI document at ${url}: ${error instanceof Error ? error.message : String(error)}`);
  console.error('Start the sandbox first (npm run sandbox), or give the document’s URL: npm run client -- http://host:port/docs-json');
  process.exit(1);
}
