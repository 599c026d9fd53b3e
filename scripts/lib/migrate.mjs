// Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, keeping Prisma Migrate's
// own bookkeeping (table _prisma_migrations, SHA-256 checksums, advisory lock 72707369), so a
// machine that can run `prisma migrate deploy` sees the same history and has nothing to do.
// Prisma's CLI needs a native engine it would download; this needs only `pg`.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

const PRISMA_MIGRATE_LOCK = 72707369;

const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export async function listMigrations(migrationsDir) {
  const names = (await readdir(migrationsDir, { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'));
      return { name, sql: sql.toString('utf8'), checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Returns the names of the migrations it applied (none when the database is up to date). */
export async function applyMigrations(databaseUrl, migrationsDir, log = () => {}) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_LOCK]);
    await client.query(BOOKKEEPING);
    const { rows } = await client.query(
      'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
    );
    const unfinished = rows.find((row) => !row.finished_at && !row.rolled_back_at);
    if (unfinished) {
      throw new Error(
        `migration ${unfinished.migration_name} failed earlier and blocks the others; ` +
          'fix the database by hand, or start again with the sandbox reset flag',
      );
    }
    const applied = new Map(rows.filter((row) => row.finished_at).map((row) => [row.migration_name, row.checksum]));
    const done = [];
    for (const migration of await listMigrations(migrationsDir)) {
      if (applied.has(migration.name)) {
        if (applied.get(migration.name) !== migration.checksum) {
          log(`warning: migration ${migration.name} was edited after it was applied (checksum differs)`);
        }
        continue;
      }
      const id = randomUUID();
      await client.query(
        'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ($1, $2, $3, now())',
        [id, migration.checksum, migration.name],
      );
      try {
        await client.query('BEGIN');
        await client.query(migration.sql);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        // The file ran in one transaction, so nothing of it stayed: record it as rolled back
        // (what `prisma migrate resolve --rolled-back` would write) and let a fixed file run again.
        await client.query('UPDATE "_prisma_migrations" SET logs = $2, rolled_back_at = now() WHERE id = $1', [
          id,
          String(error?.stack ?? error),
        ]);
        throw new Error(`migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      await client.query(
        'UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1',
        [id],
      );
      log(`applied migration ${migration.name}`);
      done.push(migration.name);
    }
    return done;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
}
