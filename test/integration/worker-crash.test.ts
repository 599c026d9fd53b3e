import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { startAppProcess } from '../support/app-process.js';
import { buildCrashWorld } from '../../bench/crash-world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { dec } from '../../src/common/money/decimal.js';
import { PricesService } from '../../src/prices/prices.service.js';
import { LiquidationService } from '../../src/risk/liquidation.service.js';
import { LedgerCheckService } from '../../src/ledger/ledger-check.service.js';
import { twinWorlds } from '../support/twin-worlds.js';
import { finishAndCompare, killWorkerMidBatch } from '../support/liquidation-twins.js';

const ACCOUNTS = 3000; // one in ten owes enough to be liquidated at the crash price
const TWIN_ACCOUNTS = 1000;

interface AccountState {
  id: string;
  notices: number;
  postings: number;
  btc: string;
}

/**
 * A worker process killed (SIGKILL) while it is liquidating: whatever it had not committed is
 * gone whole, nothing is half-done, and reviewing again finishes the rest, once per account.
 */
describe('a worker killed mid-liquidation', () => {
  let app: TestApp;
  let prisma: PrismaService;

  beforeAll(async () => {
    // This process only looks; the liquidating is done by the worker process below.
    app = await startTestApp({ RUN_WORKERS: 'false' });
    prisma = app.get(PrismaService);
    await buildCrashWorld(prisma, app.get(PricesService), ACCOUNTS);
  });
  afterAll(async () => {
    await app?.close();
  });

  const states = () =>
    prisma.$queryRaw<AccountState[]>`
      SELECT a.id,
             (SELECT count(*)::int FROM notifications n WHERE n.account_id = a.id AND n.type = 'liquidation') AS notices,
             (SELECT count(*)::int FROM ledger_transactions t WHERE t.account_id = a.id AND t.type = 'liquidation') AS postings,
             (SELECT p.scaled::text FROM positions p WHERE p.account_id = a.id AND p.asset = 'BTC') AS btc
      FROM accounts a JOIN loans l ON l.account_id = a.id AND l.borrowed = 25000`;

  it('leaves each account untouched or wholly liquidated, and a second review finishes the rest once', async () => {
    const worker = await startAppProcess(app, 'worker');
    await app.admin.put('/v1/prices/BTC').send({ price: '30000' }).expect(200);
    // Kill it as soon as it has a liquidation transaction open (one that has written).
    const deadline = Date.now() + 30_000;
    for (;;) {
      const [open] = await prisma.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL`;
      if (open.n > 0) break;
      if (Date.now() > deadline) throw new Error(`the worker never started liquidating: ${worker.errors()}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await worker.kill('SIGKILL');

    const afterKill = await states();
    expect(afterKill).toHaveLength(ACCOUNTS / 10);
    for (const account of afterKill) {
      const sold = !dec(account.btc).eq(1);
      const done = account.notices === 1 && account.postings === 1 && sold;
      const untouched = account.notices === 0 && account.postings === 0 && !sold;
      expect({ account, consistent: done || untouched }).toEqual({ account, consistent: true });
    }
    expect(afterKill.some((a) => a.notices === 0)).toBe(true); // it was killed before the end
    expect((await app.get(LedgerCheckService).check()).balanced).toBe(true);

    // What the killed worker's jobs would do when retried: review those accounts again.
    await app.get(LiquidationService).reviewMany(afterKill.map((a) => a.id));
    const finished = await states();
    for (const account of finished) expect({ id: account.id, notices: account.notices, postings: account.postings }).toEqual({ id: account.id, notices: 1, postings: 1 });
    const check = await app.get(LedgerCheckService).check();
    expect(check.mismatches).toEqual([]);
    expect(check.balanced).toBe(true);
  });
});

/**
 * Twin worlds: the same crash world on two databases, the same crash price; in one a worker
 * liquidates undisturbed, in the other the worker is SIGKILLed mid-liquidation and a restarted
 * worker finishes the jobs it left. Both must end with the same ledger, positions, loans and
 * notices.
 */
describe('a worker killed mid-liquidation, then restarted', () => {
  const { twins, startWorker: start, holdLedgerRow } = twinWorlds((app) => buildCrashWorld(app.get(PrismaService), app.get(PricesService), TWIN_ACCOUNTS));

  it('ends with the ledger of the twin that was not killed', async () => {
    const { calm, crashed } = twins;
    const calmWorker = await start(calm);
    await calm.admin.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200);
    await calmWorker.kill('SIGTERM');

    // The first liquidation batch stops at the platform's USDC cash row, the last lock it takes:
    // the accounts' positions, loans, notices and ledger entries are written, not committed.
    await killWorkerMidBatch(crashed, start, holdLedgerRow);
    const [partial] = await crashed.get(PrismaService).$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM ledger_transactions WHERE type = 'liquidation'`;
    expect(partial.n).toBe(0); // the open batch was rolled back whole

    // A restarted worker finishes; both twins balanced and equal.
    await finishAndCompare(twins, start, TWIN_ACCOUNTS / 10);
  }, 80_000);
});
