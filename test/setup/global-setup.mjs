// Starts the suite's own PostgreSQL (embedded, throw-away, durability off for speed) and
// Redis on free ports, migrates a template database once, and hands the URLs to the test
// files through the environment. Each test file clones the template (test/support/database.ts).
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../scripts/lib/migrate.mjs';
import { ensureDatabase, freePort, startEmbeddedPostgres, startRedis } from '../../scripts/lib/services.mjs';
import { buildApp } from './build-app.mjs';
import { ensureConsoleBuilt } from '../../scripts/lib/deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEMPLATE_DATABASE = 'lendlab_template';

export default async function globalSetup() {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-test-'));
  chmodSync(workDir, 0o755); // as root, Postgres runs as `postgres` and must reach its folder
  const postgres = await startEmbeddedPostgres({
    dataDir: path.join(workDir, 'postgres'),
    port: await freePort(),
    persistent: false,
    fast: true,
  });
  const redis = await startRedis({ port: await freePort(), dir: path.join(workDir, 'redis') });
  const templateUrl = await ensureDatabase(postgres.url, TEMPLATE_DATABASE);
  await applyMigrations(templateUrl, path.join(root, 'prisma', 'migrations'));

  const compiled = await buildApp(root);
  // The learner's console (web/dist), served at / by the app the browser tests start.
  ensureConsoleBuilt(root, (line) => process.stdout.write(`${line}\n`));
  process.env.LENDLAB_TEST_APP_DIR = compiled.dir;
  process.env.LENDLAB_TEST_PG_URL = postgres.url;
  process.env.LENDLAB_TEST_TEMPLATE_DB = TEMPLATE_DATABASE;
  process.env.LENDLAB_TEST_REDIS_URL = redis.url;
  globalThis.__LENDLAB_SERVICES__ = {
    stop: async () => {
      await redis.stop();
      await postgres.stop();
      rmSync(workDir, { recursive: true, force: true });
      compiled.remove();
    },
  };
}
