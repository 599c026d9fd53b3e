// Money-moving API throughput: deposits over HTTP (each with its own Idempotency-Key, spread over
// many accounts) at 1, 8 and 32 concurrent clients, driven by autocannon, against pgbench's
// built-in TPC-B-like transaction at the same concurrency on the same Postgres. Also the
// resident memory of the API process and of a worker process, at rest and under this load.
//   npm run bench -- throughput
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import pg from 'pg';
import { Decimal, dec } from '../src/common/money/decimal.js';
import { BENCH_ADMIN_KEY, BenchServices, benchDatabase, LendLabProcess, startBenchServices, startLendLabProcess } from './support.js';
import { runPgbench, PgbenchFigures } from './pgbench.js';
import { MemorySampler, MemoryFigures, reportMemory } from './memory.js';
import { CpuMeter, postgresCpuMs, processCpuMs } from './cpu.js';
import { measureRoundTrips, reportRoundTrips, RoundTripFigures } from './round-trip.js';

export const CLIENT_LEVELS = [1, 8, 32] as const;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = 256;
/** A deposit with every decimal USDC has: the total must come out exact. */
const AMOUNT = '10.000001';

export interface ThroughputFigures {
  clients: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  deposits: number;
  /** CPU per deposit, in ms: the API process and Postgres. */
  apiCpuMs: number;
  postgresCpuMs: number;
  pgbench: PgbenchFigures & { postgresCpuMs: number };
}

interface BenchUser {
  apiKey: string;
  accountId: string;
}

async function createUsers(api: string): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  for (let i = 0; i < USERS; i += 1) {
    const response = await fetch(`${api}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `bench ${i}`, kycStatus: 'approved' }),
    });
    if (response.status !== 201) throw new Error(`creating a user: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { apiKey: string; accounts: { id: string }[] };
    users.push({ apiKey: body.apiKey, accountId: body.accounts[0].id });
  }
  return users;
}

/** Deposits sent and answered 201 over the whole run, for the final check. */
interface DepositTally {
  sent: number;
  accepted: number;
}

/** autocannon at `clients` connections, each request a deposit into the next account with a fresh key. */
async function depositLoad(api: string, users: BenchUser[], tally: DepositTally, clients: number, seconds: number): Promise<autocannon.Result> {
  const result = await autocannon({
    url: api,
    connections: clients,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const user = users[tally.sent++ % users.length];
          return {
            ...request,
            path: `/v1/accounts/${user.accountId}/deposits`,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${user.apiKey}`, 'idempotency-key': randomUUID() },
            body: JSON.stringify({ asset: 'USDC', amount: AMOUNT }),
          };
        },
      },
    ],
  });
  // A fast wrong answer must not pass: every request a 201, none lost to an error or a timeout.
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`deposits at ${clients} clients: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  tally.accepted += result['2xx'];
  return result;
}

/**
 * Every deposit is in the positions and the ledger, to the unit, and the ledger balances. The
 * server may have finished a few requests the load tool stopped waiting for at the end of a
 * run: the postings lie between the 201s counted and the requests sent.
 */
async function checkDeposits(api: string, databaseUrl: string, { accepted, sent }: DepositTally): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string; deposits: number }>(
      `SELECT (SELECT coalesce(sum(principal), 0)::text FROM positions WHERE asset = 'USDC') AS total,
              (SELECT count(*)::int FROM ledger_transactions WHERE type = 'deposit') AS deposits`,
    );
    const { total, deposits } = rows[0];
    if (deposits < accepted || deposits > sent) throw new Error(`${deposits} deposit postings for ${accepted} answered 201 of ${sent} sent`);
    const expected = dec(AMOUNT).times(deposits);
    if (!new Decimal(total).eq(expected)) throw new Error(`positions hold ${total} USDC, ${deposits} deposits of ${AMOUNT} make ${expected}`);
  } finally {
    await client.end();
  }
  const check = (await (await fetch(`${api}/v1/ledger/check`, { headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` } })).json()) as { balanced: boolean };
  if (!check.balanced) throw new Error(`ledger not balanced after the deposits: ${JSON.stringify(check)}`);
}

export async function measureThroughput(
  services: BenchServices,
): Promise<{ levels: ThroughputFigures[]; memory: MemoryFigures[]; roundTrips: RoundTripFigures[] }> {
  const databaseUrl = await benchDatabase(services, 'throughput');
  const queuePrefix = `bench${randomUUID().slice(0, 8)}`;
  const processes: LendLabProcess[] = [];
  try {
    const api = await startLendLabProcess('api', services, databaseUrl, queuePrefix);
    processes.push(api);
    const worker = await startLendLabProcess('worker', services, databaseUrl, queuePrefix);
    processes.push(worker);
    const users = await createUsers(api.url!);
    const memory = new MemorySampler({ api: api.pid, worker: worker.pid });
    await memory.rest();

    const tally: DepositTally = { sent: 0, accepted: 0 };
    memory.startLoad();
    await depositLoad(api.url!, users, tally, 8, 3); // warm-up: JIT, connection pools, plans
    const levels: ThroughputFigures[] = [];
    const cpu = new CpuMeter({ api: () => processCpuMs(api.pid), postgres: () => postgresCpuMs(services.postgresPid()) });
    for (const clients of CLIENT_LEVELS) {
      cpu.start();
      const result = await depositLoad(api.url!, users, tally, clients, SECONDS);
      const used = cpu.stop();
      cpu.start();
      const pgbench = await runPgbench(services.postgresUrl, clients, SECONDS);
      const pgbenchUsed = cpu.stop();
      levels.push({
        clients,
        requestsPerSecond: result['2xx'] / result.duration, // autocannon's duration is in seconds
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        deposits: result['2xx'],
        apiCpuMs: used.api / result['2xx'],
        postgresCpuMs: used.postgres / result['2xx'],
        pgbench: { ...pgbench, postgresCpuMs: pgbenchUsed.postgres / pgbench.transactions },
      });
    }
    memory.stopLoad();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last requests the load tool gave up on
    await checkDeposits(api.url!, databaseUrl, tally);
    return { levels, memory: memory.figures(), roundTrips: await measureRoundTrips(databaseUrl) };
  } finally {
    for (const child of processes.reverse()) await child.stop();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

export function reportThroughput(levels: ThroughputFigures[], roundTrips: RoundTripFigures[]): string[] {
  const at8 = levels.find((level) => level.clients === 8);
  return [
    '## Money-moving API throughput: deposits over HTTP vs pgbench (TPC-B-like)',
    '',
    `Each level runs ${SECONDS} s; deposits carry an Idempotency-Key each, over ${USERS} accounts; pgbench at the same number of clients on the same Postgres (scale ${CLIENT_LEVELS[CLIENT_LEVELS.length - 1]}).`,
    '',
    '| clients | deposits/s | p50 | p99 | pgbench tx/s | pgbench p50 | pgbench p99 | ratio deposits / pgbench | CPU per deposit: API + Postgres | CPU per pgbench tx: Postgres |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...levels.map(
      (l) =>
        `| ${l.clients} | ${l.requestsPerSecond.toFixed(0)} | ${ms(l.p50Ms)} | ${ms(l.p99Ms)} | ${l.pgbench.tps.toFixed(0)} | ${ms(l.pgbench.p50Ms)} | ${ms(l.pgbench.p99Ms)} | ${(l.requestsPerSecond / l.pgbench.tps).toFixed(2)} | ${ms(l.apiCpuMs)} + ${ms(l.postgresCpuMs)} | ${ms(l.pgbench.postgresCpuMs)} |`,
    ),
    '',
    at8 ? `At 8 clients: ${(at8.requestsPerSecond / at8.pgbench.tps).toFixed(2)} of pgbench's transactions per second (target ≥ 0.5).` : '',
    '',
    ...reportRoundTrips(roundTrips),
  ];
}

if (process.argv[1]?.endsWith('throughput.js')) {
  const services = await startBenchServices();
  try {
    const { levels, memory, roundTrips } = await measureThroughput(services);
    process.stdout.write([...reportThroughput(levels, roundTrips), '', ...reportMemory(memory)].join('\n') + '\n');
  } finally {
    await services.stop();
  }
}
