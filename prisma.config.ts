import path from 'node:path';
import { defineConfig } from 'prisma/config';

// Prisma's CLI downloads a native schema engine at start-up, which cannot happen on an
// offline machine. `generate`, `validate` and `format` do not need it, so point the
// variable at a harmless binary when the user has not chosen one. Migrations are applied
// by src/database/migrator.ts instead (see README, "Migrations").
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false';

export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations'), seed: 'node dist/prisma/seed.js' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/lendlab' },
});
