import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';
import { AppProcess, startAppProcess } from '../support/app-process.js';
import { buildSmallWorld } from '../support/small-world.js';
import { world } from '../support/world.js';
import { canonicalState, stateDifferences } from '../support/canonical.js';

/**
 * The day's close of every market at once (a process that runs workers closes all six markets
 * of a day in one transaction, their reads, postings and rows each in one statement) must leave
 * exactly what closing them one by one leaves (an API-only process enqueues one accrual job per
 * market and day, and a worker closes each alone): the same world, advanced alike both ways,
 * ends the same, ledger entry for ledger entry, history row for history row. The small world
 * has interest in four markets, a tier lane (a loyalty cost) and an idle market.
 */
describe('closing every market of a day at once', () => {
  let together: TestApp;
  let oneByOne: TestApp;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    together = await startTestApp();
    oneByOne = await startTestApp({ RUN_WORKERS: 'false' });
    await buildSmallWorld(together);
    await buildSmallWorld(oneByOne);
    worker = await startAppProcess(oneByOne, 'worker');
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await together?.close();
    await oneByOne?.close();
  });

  it('leaves the ledger, markets and history of closing them one by one', async () => {
    for (const app of [together, oneByOne]) {
      await world(app).advance({ days: 3 });
      await world(app).advance({ hours: 30 });
      await world(app).advance({ days: 2 });
    }
    const expected = await canonicalState(oneByOne.databaseUrl);
    expect(expected.marketDays.length).toBe(6 * 6);
    expect(expected.ledger.some((account) => String(account.code) === 'platform:loyalty_expense')).toBe(true);
    expect(stateDifferences(expected, await canonicalState(together.databaseUrl))).toEqual([]);
  });
});
