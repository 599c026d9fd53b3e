import { describe, expect, it } from '@jest/globals';
import { buildCrashWorld } from '../../bench/crash-world.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { PricesService } from '../../src/prices/prices.service.js';
import { SettingsService } from '../../src/settings/settings.service.js';
import { twinWorlds } from '../support/twin-worlds.js';
import { finishAndCompare, killWorkerMidBatch } from '../support/liquidation-twins.js';

const TWIN_ACCOUNTS = 1000; // one in ten owes 25,000 against 1 BTC: past 0.833 at 30,000

/**
 * Twin worlds (as worker-crash.test.ts) under the strategies of issue 16: the crash world, the
 * same crash price; one twin's worker liquidates undisturbed, the other's is SIGKILLed with a
 * batch written but not committed, and a restarted worker finishes. Both must end with the same
 * ledger, positions (the absorb surplus positions included), loans, notices and risk rows.
 * At 30,000 (default terms: bonus 0.05, liquidation factor 0.95), each of the 100 accounts:
 *  - close-factor: HF = 30,000 × 0.833 / 25,000 = 0.9996 > 0.95, so half: 12,500 repaid,
 *    ⌊12,500 × 1.05 / 30,000⌋ = 0.4375 BTC seized, 0.5625 left;
 *  - absorb: 25,000 > 24,990, all 1 BTC absorbed, credit 30,000 × 0.95 = 28,500, surplus 3,500 USDC.
 */
describe.each([
  ['close-factor', `SELECT count(*)::int AS n FROM positions WHERE asset = 'BTC' AND scaled = 0.5625`],
  ['absorb', `SELECT count(*)::int AS n FROM positions WHERE asset = 'USDC' AND principal = 3500`],
] as const)('%s: a worker killed mid-liquidation, then restarted', (strategy, liquidatedShape) => {
  const { twins, startWorker: start, holdLedgerRow } = twinWorlds(async (app) => {
    await buildCrashWorld(app.get(PrismaService), app.get(PricesService), TWIN_ACCOUNTS);
    await app.get(SettingsService).update({ liquidationStrategy: strategy });
  });

  it('ends with the ledger of the twin that was not killed', async () => {
    const { calm, crashed } = twins;
    const calmWorker = await start(calm);
    await calm.admin.put('/v1/prices/BTC?wait=true').send({ price: '30000' }).expect(200);
    await calmWorker.kill('SIGTERM');
    const [shaped] = await calm.get(PrismaService).$queryRawUnsafe<{ n: number }[]>(liquidatedShape);
    expect(shaped.n).toBe(TWIN_ACCOUNTS / 10);

    // The first batch stops at the platform's USDC cash row, the last lock it takes: written, not committed.
    await killWorkerMidBatch(crashed, start, holdLedgerRow);
    const [partial] = await crashed.get(PrismaService).$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM ledger_transactions WHERE type IN ('liquidation', 'absorb_credit')`;
    expect(partial.n).toBe(0); // the open batch was rolled back whole
    const [surplus] = await crashed.get(PrismaService).$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM positions WHERE asset = 'USDC' AND principal = 3500`;
    expect(surplus.n).toBe(0);

    // A restarted worker finishes; both twins balanced and equal.
    await finishAndCompare(twins, start, TWIN_ACCOUNTS / 10);
  }, 120_000);
});
