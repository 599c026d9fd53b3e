import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { mkdtempSync, mkdirSync, writeFileSync, cpSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
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

  describe('that move the markets’ principal totals into their lanes', () => {
    const LANES = '20261211130000_market_principal_in_lanes';
    /**
     * A database migrated up to the lanes' migration, with holdings in the base and gold tiers
     * (BTC positions of principal 1.5 and 2, USDC loans of 250 and 1,000) and the markets'
     * totals as given; then the rest of the migrations applied to it.
     */
    async function migrateWith(totals: { btcSupplied: string; usdcBorrowed: string }, check: (url: string) => Promise<void>): Promise<void> {
      const before = mkdtempSync(path.join(os.tmpdir(), 'lendlab-migrations-'));
      cpSync(MIGRATIONS, before, { recursive: true });
      for (const name of readdirSync(before)) if (name >= LANES) rmSync(path.join(before, name), { recursive: true });
      const adminUrl = process.env.LENDLAB_TEST_PG_URL!;
      const name = `test_lanes_${randomUUID().slice(0, 8)}`;
      await withClient(adminUrl, (client) => client.query(`CREATE DATABASE "${name}" TEMPLATE template0`));
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      try {
        await applyMigrations(url.toString(), before);
        const [user, base, gold] = [randomUUID(), randomUUID(), randomUUID()];
        await withClient(url.toString(), async (client) => {
          await client.query(`INSERT INTO users (id, name, created_at) VALUES ($1, 'u', now())`, [user]);
          await client.query(`INSERT INTO accounts (id, user_id, label, created_at, tier) VALUES ($2, $1, 'base', now(), 'base'), ($3, $1, 'gold', now(), 'gold')`, [user, base, gold]);
          await client.query(
            `INSERT INTO markets (asset, decimals, base_rate, optimal_utilization, slope1, slope2, reserve_factor, max_ltv, margin_call_ltv, liquidation_ltv,
                                  updated_at, index_day, supply_principal, borrow_principal)
             VALUES ('BTC', 8, 0, 0.8, 0.04, 0.75, 0.1, 0.5, 0.7, 0.8, now(), '2026-01-01', $1, 0),
                    ('USDC', 6, 0, 0.8, 0.04, 0.75, 0.1, 0.5, 0.7, 0.8, now(), '2026-01-01', 0, $2)`,
            [totals.btcSupplied, totals.usdcBorrowed],
          );
          await client.query(`INSERT INTO market_lanes (asset, tier) SELECT m.asset, t.tier FROM markets m, unnest(ARRAY['base', 'silver', 'gold', 'platinum']) AS t(tier)`);
          await client.query(
            `INSERT INTO positions (id, account_id, asset, scaled, principal, matures_at, opened_at, updated_at)
             VALUES (gen_random_uuid(), $1, 'BTC', 1.4, 1.5, now(), now(), now()), (gen_random_uuid(), $2, 'BTC', 1.9, 2, now(), now(), now())`,
            [base, gold],
          );
          await client.query(
            `INSERT INTO loans (id, account_id, asset, scaled_debt, principal, borrowed, opened_at, updated_at)
             VALUES (gen_random_uuid(), $1, 'USDC', 240, 250, 300, now(), now()), (gen_random_uuid(), $2, 'USDC', 990, 1000, 1000, now(), now())`,
            [base, gold],
          );
        });
        await check(url.toString());
      } finally {
        rmSync(before, { recursive: true, force: true });
        await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      }
    }

    it('share each market’s totals among its lanes by the tiers of the holdings, what they do not explain in the base lane', async () => {
      // USDC's borrowed total is 0.000001 more than its loans: what the holdings do not explain.
      await migrateWith({ btcSupplied: '3.5', usdcBorrowed: '1250.000001' }, async (url) => {
        expect(await applyMigrations(url, MIGRATIONS)).toEqual(readdirSync(MIGRATIONS).filter((n) => n >= LANES && !n.endsWith('.toml')));
        await withClient(url, async (client) => {
          const lanes = await client.query(
            `SELECT asset || ' ' || tier AS lane, supply_principal::text AS supply, borrow_principal::text AS borrow FROM market_lanes
             WHERE supply_principal <> 0 OR borrow_principal <> 0 ORDER BY 1`,
          );
          expect(lanes.rows).toEqual([
            { lane: 'BTC base', supply: '1.500000000000000000', borrow: '0.000000000000000000' },
            { lane: 'BTC gold', supply: '2.000000000000000000', borrow: '0.000000000000000000' },
            { lane: 'USDC base', supply: '0.000000000000000000', borrow: '250.000001000000000000' },
            { lane: 'USDC gold', supply: '0.000000000000000000', borrow: '1000.000000000000000000' },
          ]);
          const left = await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'markets' AND column_name LIKE '%principal'`);
          expect(left.rows).toEqual([]);
        });
      });
    });

    it('refuse a market whose total is smaller than its holdings’ principal, naming it, and change nothing', async () => {
      await migrateWith({ btcSupplied: '3.4', usdcBorrowed: '1250' }, async (url) => {
        await expect(applyMigrations(url, MIGRATIONS)).rejects.toThrow(/market BTC: its principal totals \(supplied 3\.4\d*, borrowed 0\.\d+\) are smaller than its holdings' \(supplied 3\.5\d*/);
        await withClient(url, async (client) => {
          const kept = await client.query(`SELECT asset, supply_principal::text AS supplied FROM markets ORDER BY asset`);
          expect(kept.rows).toEqual([
            { asset: 'BTC', supplied: '3.400000000000000000' },
            { asset: 'USDC', supplied: '0.000000000000000000' },
          ]);
        });
      });
    });
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
