import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import os from 'node:os';
import path from 'node:path';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ensureDatabase, freePort, startEmbeddedPostgres } from '../../scripts/lib/services.mjs';
import { applyMigrations } from '../../scripts/lib/migrate.mjs';
import { createUser, startTestApp, TestApp } from '../support/test-app.js';
import { world } from '../support/world.js';
import { withClient } from '../support/database.js';
import { dec } from '../../src/common/money/decimal.js';

type Postgres = Awaited<ReturnType<typeof startEmbeddedPostgres>>;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENTS = 4;
const DEPOSITS_PER_CLIENT = 30;

/**
 * Postgres stopped and started again under a stream of deposits (a Postgres of the test's own,
 * data kept across the restart). Clients retry every failed request with its Idempotency-Key:
 * afterwards each deposit is applied exactly once, every failure the clients saw was an error
 * with the contract's JSON body, the ledger balances, and the app serves again without a restart.
 */
describe('Postgres restarted under a stream of deposits', () => {
  let app: TestApp;
  let postgres: Postgres | undefined;
  let port: number;
  let databaseUrl: string;
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-pg-restart-'));
  const dataDir = path.join(workDir, 'postgres');
  chmodSync(workDir, 0o755); // as root, Postgres runs as `postgres` and must reach its folder
  const start = () => startEmbeddedPostgres({ dataDir, port, persistent: true, fast: true });

  beforeAll(async () => {
    port = await freePort();
    postgres = await start();
    databaseUrl = await ensureDatabase(postgres.url, 'lendlab');
    await applyMigrations(databaseUrl, path.join(root, 'prisma', 'migrations'));
    app = await startTestApp({ DATABASE_URL: databaseUrl });
  });
  afterAll(async () => {
    await app?.close();
    await postgres?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it('applies every deposit once, answers JSON errors while it is down, and recovers by itself', async () => {
    const user = await createUser(app, 'streamer');
    const failures: { status: number; body: unknown; retryAfter?: string }[] = [];
    const applied = new Map<string, string>();
    const answers = new Map<string, string>();

    const deposit = async (key: string, amount: string) => {
      for (let attempt = 1; ; attempt += 1) {
        const response = await app
          .api(user.apiKey)
          .post(`/v1/accounts/${user.accountId}/deposits`)
          .set('Idempotency-Key', key)
          .send({ asset: 'USDC', amount })
          .timeout(20_000)
          .catch((error: { timeout?: number; message: string }) => {
            throw new Error(`deposit ${key} attempt ${attempt}: no answer (${error.message})`);
          });
        if (response.status === 201) {
          expect(response.body.position).toMatchObject({ asset: 'USDC' });
          applied.set(key, amount);
          answers.set(key, response.text);
          return;
        }
        failures.push({ status: response.status, body: response.body, retryAfter: response.headers['retry-after'] });
        if (attempt > 100) throw new Error(`deposit ${key} never succeeded: ${JSON.stringify(response.body)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    const client = async (c: number) => {
      for (let i = 0; i < DEPOSITS_PER_CLIENT; i += 1) {
        await deposit(`c${c}-d${i}`, `${c + 1}.${String(i + 1).padStart(2, '0')}`);
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    };
    const outage = async () => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await postgres!.stop();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      postgres = await start();
    };
    await Promise.all([...Array.from({ length: CLIENTS }, (_, c) => client(c)), outage()]);
    // A client that lost an answer sends its request again: the first answer, byte for byte, and no second deposit.
    for (const [key, amount] of applied) {
      const again = await app.api(user.apiKey).post(`/v1/accounts/${user.accountId}/deposits`).set('Idempotency-Key', key).send({ asset: 'USDC', amount }).expect(201);
      expect(again.text).toBe(answers.get(key));
    }

    // The outage was seen, and every failure said so: 503 SERVICE_UNAVAILABLE with when to retry, never a success.
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure).toEqual({
        status: 503,
        body: expect.objectContaining({ statusCode: 503, code: 'SERVICE_UNAVAILABLE', message: expect.any(String) }),
        retryAfter: '1',
      });
    }
    // Every key's deposit applied once: the position holds exactly their sum.
    expect(applied.size).toBe(CLIENTS * DEPOSITS_PER_CLIENT);
    const expected = [...applied.values()].reduce((sum, amount) => sum.plus(amount), dec(0));
    const [row] = await withClient(databaseUrl, async (pg) => (await pg.query(`SELECT coalesce(sum(principal), 0)::text AS total, count(*)::int AS positions FROM positions`)).rows);
    expect(dec(row.total).toFixed(6)).toBe(expected.toFixed(6));
    const [keys] = await withClient(databaseUrl, async (pg) => (await pg.query(`SELECT count(*)::int AS n FROM idempotency_keys`)).rows);
    expect(keys.n).toBe(CLIENTS * DEPOSITS_PER_CLIENT);
    await world(app).assertBalanced();
    // Recovered without a restart: new requests succeed.
    await app.api().get('/health').expect(200);
    const after = await world(app).deposit(user.apiKey, user.accountId, 'USDC', '1');
    expect(dec(after.principal).toFixed(6)).toBe(expected.plus(1).toFixed(6));
  }, 80_000);
});
