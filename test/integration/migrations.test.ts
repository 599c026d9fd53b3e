import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync } from 'node:fs';
import os from 'node:os';
import { applyMigrations, listMigrations } from '../../scripts/lib/migrate.mjs';
import { createTestDatabase, withClient } from '../support/database.js';
import { readPrismaSchema } from '../support/prisma-schema.js';

const root = path.resolve(import.meta.dirname, '../..');
const MIGRATIONS = path.join(root, 'prisma', 'migrations');

describe('migrations', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('leave the database exactly as schema.prisma describes it', async () => {
    const expected = readPrismaSchema(path.join(root, 'prisma', 'schema.prisma'));
    await withClient(db.url, async (client) => {
      const tables = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((r) => r.table_name).sort()).toEqual(
        [...expected.tables.map((t) => t.name), '_prisma_migrations'].sort(),
      );

      for (const table of expected.tables) {
        const columns = await client.query<{ column_name: string; type: string; is_nullable: string }>(
          // A domain column (20261209100000_amount_rules_as_domains) is described by its base type,
          // which is what schema.prisma states (column-domains.test.ts checks the domains themselves).
          `SELECT a.attname AS column_name,
                  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE format_type(a.atttypid, a.atttypmod) END AS type,
                  CASE WHEN a.attnotnull THEN 'NO' ELSE 'YES' END AS is_nullable,
                  t.typtype
           FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
           WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND NOT a.attisdropped
           ORDER BY a.attnum`,
          [table.name],
        );
        const actual = columns.rows.map((row: any) => ({
          name: row.column_name,
          type: row.typtype === 'e' ? `enum ${row.type.replace(/"/g, '')}` : row.type,
          nullable: row.is_nullable === 'YES',
        }));
        // Column order is not part of the schema (Prisma Migrate adds new columns at the end).
        const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
        expect({ table: table.name, columns: actual.sort(byName) }).toEqual({ table: table.name, columns: [...table.columns].sort(byName) });

        const indexes = await client.query<{ columns: string[]; is_unique: boolean; is_primary: boolean }>(
          `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS columns, i.indisunique AS is_unique, i.indisprimary AS is_primary
           FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
           WHERE c.relname = $1 AND c.relnamespace = 'public'::regnamespace
           GROUP BY i.indexrelid, i.indisunique, i.indisprimary`,
          [table.name],
        );
        const key = (cols: string[]) => cols.join(',');
        const primary = indexes.rows.filter((r) => r.is_primary).map((r) => key(r.columns));
        const uniques = indexes.rows.filter((r) => r.is_unique && !r.is_primary).map((r) => key(r.columns)).sort();
        const plain = indexes.rows.filter((r) => !r.is_unique).map((r) => key(r.columns)).sort();
        expect({ table: table.name, primary, uniques, plain }).toEqual({
          table: table.name,
          primary: [key(table.primaryKey)],
          uniques: table.uniques.map(key).sort(),
          plain: table.indexes.map(key).sort(),
        });
      }

      for (const [name, values] of expected.enums) {
        const labels = await client.query<{ enumlabel: string }>(
          `SELECT e.enumlabel FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
          [name],
        );
        expect({ name, values: labels.rows.map((r) => r.enumlabel) }).toEqual({ name, values });
      }
    });
  });

  it('keep the foreign keys schema.prisma does not mark as checked by a trigger', async () => {
    // MarketDay's, MarketLaneDay's and LedgerEntry's relations are checked once per statement by
    // triggers (their `///` notes in schema.prisma); every other relation is a foreign key.
    await withClient(db.url, async (client) => {
      const keys = await client.query<{ key: string }>(
        `SELECT format('%s(%s) -> %s', c.conrelid::regclass, a.attname, c.confrelid::regclass) AS key
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace ORDER BY 1`,
      );
      expect(keys.rows.map((r) => r.key)).toEqual([
        'accounts(user_id) -> users',
        'api_keys(user_id) -> users',
        'loan_changes(loan_id) -> loans',
        'market_lanes(asset) -> markets',
        'position_changes(position_id) -> positions',
      ]);
    });
  });

  it('record each migration as Prisma Migrate does, with the SHA-256 of its file', async () => {
    const files = await listMigrations(MIGRATIONS);
    await withClient(db.url, async (client) => {
      const rows = await client.query(
        'SELECT migration_name, checksum, finished_at, applied_steps_count, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
      );
      expect(rows.rows.map((r) => [r.migration_name, r.checksum, r.applied_steps_count, r.rolled_back_at])).toEqual(
        files.map((f) => [f.name, f.checksum, 1, null]),
      );
      expect(rows.rows.every((r) => r.finished_at instanceof Date)).toBe(true);
    });
  });

  it('apply nothing the second time', async () => {
    expect(await applyMigrations(db.url, MIGRATIONS)).toEqual([]);
  });

  it('roll a failing migration back whole, record it, and apply its fixed version later', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-migrations-'));
    cpSync(MIGRATIONS, dir, { recursive: true });
    const broken = path.join(dir, '29990101000000_broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" (id int);\nSELECT * FROM "no_such_table";\n');
    await expect(applyMigrations(db.url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    await withClient(db.url, async (client) => {
      const half = await client.query(`SELECT to_regclass('public.half_done') AS t`);
      expect(half.rows[0].t).toBeNull();
      const row = await client.query(`SELECT rolled_back_at, logs FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`);
      expect(row.rows[0].rolled_back_at).toBeInstanceOf(Date);
      expect(row.rows[0].logs).toContain('no_such_table');
    });
    writeFileSync(path.join(broken, 'migration.sql'), 'CREATE TABLE "half_done" (id int);\n');
    expect(await applyMigrations(db.url, dir)).toEqual(['29990101000000_broken']);
  });
});
