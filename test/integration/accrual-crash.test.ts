import { describe, expect, it } from '@jest/globals';
import { twinWorlds } from '../support/twin-worlds.js';
import { withClient } from '../support/database.js';
import { world } from '../support/world.js';
import { buildSmallWorld } from '../support/small-world.js';
import { canonicalState, stateDifferences } from '../support/canonical.js';
import { expireDeadWorkersLocks } from '../support/stalled-jobs.js';
import { QUEUES } from '../../src/queues/queue-names.js';

const CRASH_DAY = '2026-01-03'; // closed at 00:00 of 2026-01-04, the first boundary of the second advance
const NEXT_DAY = '2026-01-04';

/**
 * Twin worlds: the same world advanced through the same days on two databases, one calmly, the
 * other with its accrual worker SIGKILLed while a day's accrual transaction is open (it has
 * locked the USDC market and written the day's interest entries, and waits for a ledger row
 * the test holds). A restarted worker finishes the day and the advance; both worlds must then
 * be the same, ledger entry for ledger entry.
 */
describe('a worker killed mid-accrual', () => {
  const { twins, startWorker: start, holdLedgerRow } = twinWorlds(buildSmallWorld);

  it('ends with the ledger and markets of the twin that did not crash', async () => {
    const { calm, crashed } = twins;
    const calmWorker = await start(calm);
    await world(calm).advance({ days: 2 });
    await world(calm).advance({ days: 3 });
    await calmWorker.kill('SIGTERM');

    const first = await start(crashed);
    await world(crashed).advance({ days: 2 });
    // Hold the USDC reserve's ledger row: the next USDC accrual stops there, its transaction open.
    const reserve = await holdLedgerRow(crashed, 'platform:reserve', 'USDC');
    const advancing = crashed.admin.post('/v1/clock/advance').send({ days: 3 }).then((response) => response);
    await reserve.untilBlocking(first);
    await first.kill('SIGKILL');
    await reserve.release();

    // Killed in the middle: the USDC day is not closed, nor its interest posted.
    // The killed worker's backend ends (and rolls back) as soon as it finds its client gone.
    await withClient(crashed.databaseUrl, async (verify) => {
      for (let i = 0; i < 100; i += 1) {
        const open = await verify.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`,
        );
        if (open.rows[0].n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const usdc = await verify.query(`SELECT count(*)::int AS n FROM market_days WHERE asset = 'USDC' AND date = $1::date`, [CRASH_DAY]);
      expect(usdc.rows[0].n).toBe(0);
      const posted = await verify.query(
        `SELECT count(*)::int AS n FROM ledger_transactions WHERE type = 'interest' AND metadata->>'asset' = 'USDC' AND metadata->>'date' = $1`,
        [CRASH_DAY],
      );
      expect(posted.rows[0].n).toBe(0);
    });

    // A new worker takes the stalled job over (BullMQ's stall check: up to about 30 s) and the advance completes.
    // The killed worker's jobs are still active in Redis under its lock: a restarted worker
    // takes them over once that lock has expired (30 s) and a stall check has seen them twice
    // (30 s apart); the test skips that minute and lets the new worker's first check move them.
    expect(await expireDeadWorkersLocks(crashed, QUEUES.accrual)).toContain(`accrual-USDC-${NEXT_DAY}`);
    await start(crashed);
    const response = await advancing;
    expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { now: '2026-01-06T00:00:00.000Z', daysAccrued: 3 } });

    await world(calm).assertBalanced();
    await world(crashed).assertBalanced();
    const expected = await canonicalState(calm.databaseUrl);
    const actual = await canonicalState(crashed.databaseUrl);
    expect(expected.marketDays).toHaveLength(6 * 5);
    expect(expected.ledger.some((row) => (row.entries as string[]).some((e) => e.startsWith('interest')))).toBe(true);
    expect(stateDifferences(expected, actual)).toEqual([]);
  }, 90_000);
});
