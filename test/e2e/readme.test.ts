import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { transformFile } from '@swc/core';
import { freePort } from '../../scripts/lib/services.mjs';
import { startLendLabProcess } from '../../scripts/lib/lendlab-process.mjs';
import { createTestDatabase, withClient } from '../support/database.js';
import { HOUSE_SUPPLY } from '../../prisma/demo-world.js';
import { QUEUES } from '../../src/queues/queue-names.js';

/**
 * The README's "A first session with curl", run as written: its shell blocks (between the
 * `<!-- first-session -->` markers) are run with bash against a sandbox-like LendLab — a
 * database seeded by prisma/seed.ts (demo users, prices, the house lender) and the API with
 * its workers as a process of its own — with the two variables the README tells the reader to
 * set (ADMIN, API) filled in from that process. Nothing else is changed, so a README that rots
 * (a renamed field, a wrong path, a variable it never defined) fails here.
 */
const README = readFileSync(path.join(process.cwd(), 'README.md'), 'utf8');

export function firstSessionBlocks(readme: string): string[] {
  const section = /<!-- first-session -->([\s\S]*?)<!-- \/first-session -->/.exec(readme)?.[1];
  if (!section) throw new Error('README.md has no <!-- first-session --> ... <!-- /first-session --> section');
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
}

const ADMIN = `ll_admin_${randomBytes(12).toString('hex')}`;

describe("the README's first session", () => {
  let work: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let api: Awaited<ReturnType<typeof startLendLabProcess>>;
  let env: Record<string, string>;
  let seedScript: string;

  const seed = (keysFile: string) => {
    const run = spawnSync(process.execPath, ['--enable-source-maps', seedScript, keysFile], { env, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the seed failed (${run.status}): ${run.stderr}`);
  };

  beforeAll(async () => {
    const appDir = process.env.LENDLAB_TEST_APP_DIR;
    if (!appDir) throw new Error('LENDLAB_TEST_APP_DIR is not set: run the tests with npm test');
    // The seed beside the compiled sources (its imports are ../src/...), as the sandbox runs it.
    seedScript = path.join(path.dirname(appDir), 'prisma', 'seed.js');
    const swcOptions = 'swc-options.mjs';
    const { SWC_OPTIONS } = (await import(`../setup/${swcOptions}`)) as { SWC_OPTIONS: object };
    mkdirSync(path.dirname(seedScript), { recursive: true });
    for (const name of ['seed', 'demo-world']) {
      const source = path.join(process.cwd(), 'prisma', `${name}.ts`);
      writeFileSync(path.join(path.dirname(seedScript), `${name}.js`), (await transformFile(source, { ...SWC_OPTIONS, filename: source })).code);
    }

    work = mkdtempSync(path.join(os.tmpdir(), 'lendlab-readme-'));
    database = await createTestDatabase();
    const port = await freePort();
    env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      DATABASE_URL: database.url,
      REDIS_URL: process.env.LENDLAB_TEST_REDIS_URL!,
      QUEUE_PREFIX: `readme${randomBytes(4).toString('hex')}`,
      ADMIN_API_KEY: ADMIN,
      LOG_LEVEL: 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
    seed(path.join(work, 'sandbox-keys.json'));
    api = await startLendLabProcess({
      script: path.join(appDir, 'main.js'),
      nodeFlags: ['--enable-source-maps'],
      env,
      redisUrl: env.REDIS_URL,
      queuePrefix: env.QUEUE_PREFIX,
      readyQueue: QUEUES.riskAccount,
      port,
      captureStderr: true,
      timeoutMs: 30_000,
    });
  }, 120_000);

  afterAll(async () => {
    await api?.stop();
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('seeds a house lender once: every market has cash to lend, and a restart deposits nothing again', async () => {
    seed(path.join(work, 'sandbox-keys.json'));
    const keys = JSON.parse(readFileSync(path.join(work, 'sandbox-keys.json'), 'utf8'));
    expect(keys.house.supplied).toEqual(HOUSE_SUPPLY);
    const positions = await withClient(database.url, (client) =>
      client.query<{ asset: string; principal: string; n: string }>(
        `SELECT p.asset, sum(p.principal)::text AS principal, count(*)::text AS n
           FROM positions p JOIN accounts a ON a.id = p.account_id JOIN users u ON u.id = a.user_id
          WHERE u.name = 'house' GROUP BY p.asset ORDER BY p.asset`,
      ),
    );
    expect(Object.fromEntries(positions.rows.map((r) => [r.asset, Number(r.principal)]))).toEqual(
      Object.fromEntries(Object.entries(HOUSE_SUPPLY).map(([asset, amount]) => [asset, Number(amount)])),
    );
    expect(positions.rows.every((r) => r.n === '1')).toBe(true);
    const houses = await withClient(database.url, (client) => client.query(`SELECT 1 FROM users WHERE name = 'house'`));
    expect(houses.rowCount).toBe(1);
  }, 60_000);

  it('runs as written with bash and curl: deposit, borrow, interest, margin call, liquidation, a balanced ledger', () => {
    const blocks = firstSessionBlocks(README);
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const script = blocks.join('\n');
    // Only the variables the README tells the reader to set are filled in, nothing else.
    expect(script).toMatch(/^ADMIN=/m);
    expect(script).toMatch(/^API=/m);
    const filled = script.replace(/^ADMIN=.*$/m, `ADMIN=${ADMIN}`).replace(/^API=.*$/m, `API=${api.url}`);
    // Tools a fresh Debian has (no jq): the blocks must not need anything else.
    expect(filled).not.toMatch(/\bjq\b/);
    const run = spawnSync('bash', ['-euo', 'pipefail', '-c', filled], { encoding: 'utf8', timeout: 90_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
    const out = run.stdout;
    const context = `exit ${run.status}\n--- stdout\n${out}\n--- stderr\n${run.stderr}\n--- api stderr\n${api.stderr()}`;
    expect({ status: run.status, context }).toEqual({ status: 0, context });
    // Every error body has a statusCode: none may appear.
    expect({ errors: out.match(/"statusCode":\s*[45]\d\d[^\n]*/g) ?? [], context }).toEqual({ errors: [], context });
    for (const expected of [
      '"kycStatus":"approved"',
      '"asset":"BTC"',
      '"asset":"USDC"',
      '"daysAccrued":3',
      '"status":"margin_call"',
      '"status":"healthy"',
      '"type":"margin_call"',
      '"type":"liquidation"',
      '"kind":"charged"',
      '"type":"liquidation"',
      '"balanced":true',
    ]) {
      expect({ expected, found: out.includes(expected), context }).toEqual({ expected, found: true, context });
    }
  }, 120_000);
});
