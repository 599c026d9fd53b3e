import { expect } from '@jest/globals';
import type { TestApp } from './test-app.js';
import type { AppProcess } from './app-process.js';
import { LedgerCheckService } from '../../src/ledger/ledger-check.service.js';
import { QUEUES } from '../../src/queues/queue-names.js';
import { canonicalState, stateDifferences } from './canonical.js';
import { expireDeadWorkersLocks, queuesIdle } from './stalled-jobs.js';
import type { twinWorlds } from './twin-worlds.js';

/**
 * The crash of a liquidation twin-world test: a worker is started on the crashed twin, the
 * platform's USDC cash row (the last lock a liquidation batch takes) is held, a BTC price of
 * 30,000 starts the sweep, and once the batch waits on that row (written, not committed) the
 * worker is SIGKILLed and the row released.
 */
export async function killWorkerMidBatch(
  crashed: TestApp,
  start: (app: TestApp) => Promise<AppProcess>,
  holdLedgerRow: ReturnType<typeof twinWorlds>['holdLedgerRow'],
): Promise<void> {
  const first = await start(crashed);
  const cash = await holdLedgerRow(crashed, 'market:cash', 'USDC');
  await crashed.admin.put('/v1/prices/BTC').send({ price: '30000' }).expect(200);
  await cash.untilBlocking(first);
  await first.kill('SIGKILL');
  await cash.release();
}

/**
 * The end of a liquidation twin-world test: a restarted worker takes over the killed one's jobs
 * (their locks expired at once, see expireDeadWorkersLocks) and runs them to the end; then both
 * twins' ledgers balance and their states are equal, with `liquidations` liquidation notices.
 */
export async function finishAndCompare(
  twins: { calm: TestApp; crashed: TestApp },
  start: (app: TestApp) => Promise<AppProcess>,
  liquidations: number,
): Promise<void> {
  const { calm, crashed } = twins;
  await expireDeadWorkersLocks(crashed, QUEUES.riskSweep);
  await expireDeadWorkersLocks(crashed, QUEUES.riskAccount);
  await start(crashed);
  await queuesIdle(crashed, [QUEUES.riskSweep, QUEUES.riskAccount]);

  for (const app of [calm, crashed]) {
    const check = await app.get(LedgerCheckService).check();
    expect(check.mismatches).toEqual([]);
    expect(check.balanced).toBe(true);
  }
  const expected = await canonicalState(calm.databaseUrl);
  const actual = await canonicalState(crashed.databaseUrl);
  expect(expected.notifications.filter((n) => n.type === 'liquidation')).toHaveLength(liquidations);
  expect(stateDifferences(expected, actual)).toEqual([]);
}
