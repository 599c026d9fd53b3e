import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
// The project's one migrator, plain .mjs for the scripts that run before any build; the build
// compiles it beside this file's output (tsconfig.build.json, allowJs), so the import holds in dist/ too.
import { applyMigrations } from '../../scripts/lib/migrate.mjs';

/** The project folder (its package.json is LendLab's), from this file compiled or not. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'lendlab') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('cannot find the LendLab project folder');
    dir = parent;
  }
}

/**
 * A new, migrated database on the same server as `databaseUrl`, for a scenario run by the
 * running sandbox: the scenario's world never touches the sandbox's own. The migrations are
 * applied by the project's migrator (scripts/lib/migrate.mjs), as for every other database.
 */
export async function freshDatabase(databaseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const root = projectRoot();
  const name = `lendlab_scenario_${randomBytes(5).toString('hex')}`;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  await applyMigrations(url.toString(), path.join(root, 'prisma', 'migrations'));
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
