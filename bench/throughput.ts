// Money-moving API throughput: deposits, withdrawals, borrows and repayments over HTTP (each with
// its own Idempotency-Key, spread over many accounts) at 1, 8 and 32 concurrent clients, driven by autocannon, against pgbench's
// built-in TPC-B-like transaction at the same concurrency on the same Postgres. Also the
// resident memory of the API process and of a worker process, at rest and under this load.
//   npm run bench -- throughput
import 'reflect-metadata';
import os from 'node:os';
import { readdirSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
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
// BENCH_CLIENTS=8 and BENCH_MOVEMENTS=deposit,withdrawal narrow a run (profiling); the suite runs everything.
const LEVELS = process.env.BENCH_CLIENTS ? process.env.BENCH_CLIENTS.split(',').map(Number) : [...CLIENT_LEVELS];
const ONLY = process.env.BENCH_MOVEMENTS?.split(',');
const runs = (movement: string) => !ONLY || ONLY.includes(movement);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const USERS = 256;
/** A deposit with every decimal USDC has: the total must come out exact. */
const AMOUNT = '10.000001';
/** Withdrawals are counted, not timed: each empties a position seeded before it (one per account and asset). */
const WITHDRAWALS: Record<number, number> = { 1: 300, 8: 1500, 32: 1500 };
const WITHDRAWAL_ASSETS = ['USDC', 'USDT', 'BTC', 'ETH', 'SOL', 'LAB'];

export const MOVEMENTS = ['deposit', 'withdrawal', 'borrow', 'repayment'] as const;
export type Movement = (typeof MOVEMENTS)[number];

export interface MovementFigures {
  movement: Movement;
  clients: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  count: number;
  /** CPU per movement, in ms: the API process and Postgres. */
  apiCpuMs: number;
  postgresCpuMs: number;
}

export interface ThroughputFigures {
  clients: number;
  movements: MovementFigures[];
  pgbench: PgbenchFigures & { postgresCpuMs: number };
}

interface BenchUser {
  apiKey: string;
  accountId: string;
  /** A large USDC loan each user repays a little at a time in the repayment run. */
  loanId?: string;
}

interface MoneyRequest {
  path: string;
  apiKey: string;
  body: unknown;
}

async function call(api: string, key: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Runs `work` over `items` with `width` at a time (set-up only, not measured). */
async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

async function createUsers(api: string): Promise<BenchUser[]> {
  const users: BenchUser[] = [];
  await inParallel([...Array(USERS).keys()], 8, async (i) => {
    const body = await call(api, BENCH_ADMIN_KEY, 'POST', '/v1/users', { name: `bench ${i}`, kycStatus: 'approved' });
    users.push({ apiKey: body.apiKey, accountId: body.accounts[0].id });
  });
  return users;
}

/**
 * The world the four movements need: deposits mature at once (lending period 0, so that seeded
 * positions can be withdrawn), a BTC price, a large USDC supply (cash for the borrows) and, per
 * user, 1 BTC of collateral and a 1,000 USDC loan to repay from.
 */
async function prepareWorld(api: string, users: BenchUser[]): Promise<void> {
  await call(api, BENCH_ADMIN_KEY, 'PUT', '/v1/settings', { lendingPeriodDays: 0 });
  await call(api, BENCH_ADMIN_KEY, 'PUT', '/v1/prices/BTC', { price: '50000' });
  await call(api, BENCH_ADMIN_KEY, 'PUT', '/v1/prices/USDC', { price: '1' });
  const whale = await call(api, BENCH_ADMIN_KEY, 'POST', '/v1/users', { name: 'bench liquidity', kycStatus: 'approved' });
  await call(api, whale.apiKey, 'POST', `/v1/accounts/${whale.accounts[0].id}/deposits`, { asset: 'USDC', amount: '100000000' });
  await inParallel(users, 8, async (user) => {
    await call(api, user.apiKey, 'POST', `/v1/accounts/${user.accountId}/deposits`, { asset: 'BTC', amount: '1' });
    const { loan } = await call(api, user.apiKey, 'POST', `/v1/accounts/${user.accountId}/loans`, { asset: 'USDC', amount: '1000' });
    user.loanId = loan.id;
  });
}

/** Positions to withdraw: fresh accounts (no loans), one position per asset each, deposited over HTTP. */
async function seedPositions(api: string, users: BenchUser[], count: number): Promise<MoneyRequest[]> {
  const accounts = Math.ceil(count / WITHDRAWAL_ASSETS.length);
  const opened: { apiKey: string; accountId: string }[] = [];
  await inParallel([...Array(accounts).keys()], 8, async (i) => {
    const user = users[i % users.length];
    const account = await call(api, user.apiKey, 'POST', '/v1/accounts', { label: `withdraw ${i}` });
    opened.push({ apiKey: user.apiKey, accountId: account.id });
  });
  const positions = opened.flatMap((account) => WITHDRAWAL_ASSETS.map((asset) => ({ ...account, asset }))).slice(0, count);
  await inParallel(positions, 8, async (p) => {
    await call(api, p.apiKey, 'POST', `/v1/accounts/${p.accountId}/deposits`, { asset: p.asset, amount: '1' });
  });
  return positions.map((p) => ({ path: `/v1/accounts/${p.accountId}/withdrawals`, apiKey: p.apiKey, body: { asset: p.asset } }));
}

/** Requests sent and answered 201 per movement over the whole run, for the final check. */
type Tally = Record<Movement, { sent: number; accepted: number }>;

/**
 * autocannon at `clients` connections, each request the next from `next` with a fresh
 * Idempotency-Key: for `seconds`, or `amount` requests in all.
 */
async function load(
  api: string,
  tally: Tally[Movement],
  clients: number,
  run: { seconds: number } | { amount: number },
  next: (i: number) => MoneyRequest,
): Promise<autocannon.Result> {
  const result = await autocannon({
    url: api,
    connections: clients,
    // The slow path's p99 at 32 clients passed autocannon's default 10 s: a late answer counts, at its latency.
    timeout: 120,
    ...('seconds' in run ? { duration: run.seconds } : { amount: run.amount }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request) => {
          const money = next(tally.sent++);
          return {
            ...request,
            path: money.path,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${money.apiKey}`, 'idempotency-key': randomUUID() },
            body: JSON.stringify(money.body),
          };
        },
      },
    ],
  });
  // A fast wrong answer must not pass: every request a 201, none lost to an error or a timeout.
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${clients} clients: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  tally.accepted += result['2xx'];
  return result;
}

/**
 * Every deposit is in the positions and the ledger, to the unit, every movement answered 201
 * is posted, and the ledger balances. The server may have finished a few requests the load tool
 * stopped waiting for at the end of a run: the postings lie between the 201s counted and the
 * requests sent.
 */
async function checkPostings(api: string, databaseUrl: string, users: BenchUser[], tally: Tally, setUp: Record<Movement, number>): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ total: string }>(
      `SELECT coalesce(sum(principal), 0)::text AS total FROM positions WHERE asset = 'USDC' AND account_id = ANY($1::uuid[])`,
      [users.map((u) => u.accountId)],
    );
    const counts = new Map(
      (await client.query<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM ledger_transactions GROUP BY type`)).rows.map((r) => [r.type, r.n]),
    );
    for (const movement of MOVEMENTS) {
      const posted = (counts.get(movement) ?? 0) - setUp[movement];
      const { accepted, sent } = tally[movement];
      if (posted < accepted || posted > sent) throw new Error(`${posted} ${movement} postings for ${accepted} answered 201 of ${sent} sent`);
    }
    const deposits = (counts.get('deposit') ?? 0) - setUp.deposit;
    const expected = dec(AMOUNT).times(deposits);
    if (!new Decimal(rows[0].total).eq(expected)) throw new Error(`positions hold ${rows[0].total} USDC, ${deposits} deposits of ${AMOUNT} make ${expected}`);
  } finally {
    await client.end();
  }
  const check = (await (await fetch(`${api}/v1/ledger/check`, { headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` } })).json()) as { balanced: boolean };
  if (!check.balanced) throw new Error(`ledger not balanced after the run: ${JSON.stringify(check)}`);
}

async function postingCounts(databaseUrl: string): Promise<Record<Movement, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rows = (await client.query<{ type: string; n: number }>(`SELECT type, count(*)::int AS n FROM ledger_transactions GROUP BY type`)).rows;
    const of = new Map(rows.map((r) => [r.type, r.n]));
    return Object.fromEntries(MOVEMENTS.map((m) => [m, of.get(m) ?? 0])) as Record<Movement, number>;
  } finally {
    await client.end();
  }
}

/**
 * BENCH_PERF=<folder>: `perf record` of Postgres's backends through one run (perf report -i the
 * file shows where its CPU went; BENCH_PERF_ARGS replaces `-F 1999 -g`). Returns the function that stops it.
 */
function profilePostgres(postmasterPid: number, file: string): () => Promise<void> {
  const pids = readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      return text.slice(text.lastIndexOf(')') + 2).split(' ')[1] === String(postmasterPid);
    } catch {
      return false;
    }
  });
  const perf = spawn('perf', ['record', ...(process.env.BENCH_PERF_ARGS ?? '-F 1999 -g').split(' '), '-o', file, '-p', [postmasterPid, ...pids].join(',')], { stdio: ['ignore', 'ignore', 'inherit'] });
  // perf may have ended on its own (a folder that does not exist, a pid gone): then there is nothing to wait for.
  const ended = new Promise<void>((resolve) => perf.once('exit', () => resolve()));
  return async () => {
    if (perf.exitCode === null && perf.signalCode === null) perf.kill('SIGINT');
    await ended;
  };
}

async function resetStatements(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  await client.query('SELECT pg_stat_statements_reset()');
  await client.end();
}

/** Where Postgres spent its time in a run (BENCH_PG_STATEMENTS): each statement's calls and time per movement. */
async function printStatements(databaseUrl: string, title: string, movements: number): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const { rows } = await client.query(
    `SELECT calls, total_exec_time AS ms, plans, total_plan_time AS plan_ms, toplevel, left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
     FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40`,
  );
  await client.end();
  process.stdout.write(`\n[statements] ${title}: ${movements} movements; per movement: calls, µs, plans, planning µs, top-level, statement\n`);
  for (const r of rows) {
    process.stdout.write(`${(r.calls / movements).toFixed(2).padStart(6)} ${((r.ms * 1000) / movements).toFixed(0).padStart(6)} ${(r.plans / movements).toFixed(2).padStart(5)} ${((r.plan_ms * 1000) / movements).toFixed(0).padStart(5)} ${r.toplevel ? 'T' : ' '} ${r.query}\n`);
  }
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
    await prepareWorld(api.url!, users);

    const tally = Object.fromEntries(MOVEMENTS.map((m) => [m, { sent: 0, accepted: 0 }])) as Tally;
    const requests: Record<Exclude<Movement, 'withdrawal'>, (i: number) => MoneyRequest> = {
      deposit: (i) => ({ path: `/v1/accounts/${users[i % USERS].accountId}/deposits`, apiKey: users[i % USERS].apiKey, body: { asset: 'USDC', amount: AMOUNT } }),
      borrow: (i) => ({ path: `/v1/accounts/${users[i % USERS].accountId}/loans`, apiKey: users[i % USERS].apiKey, body: { asset: 'USDC', amount: '0.01' } }),
      repayment: (i) => ({ path: `/v1/loans/${users[i % USERS].loanId}/repayments`, apiKey: users[i % USERS].apiKey, body: { amount: '0.01' } }),
    };
    const setUp = await postingCounts(databaseUrl);
    memory.startLoad();
    await load(api.url!, tally.deposit, 8, { seconds: 10 }, requests.deposit); // warm-up: JIT (V8 still compiled the hot path after 3 s: CPU per deposit fell round by round), connection pools, plans
    const levels: ThroughputFigures[] = [];
    const cpu = new CpuMeter({ api: () => processCpuMs(api.pid), postgres: () => postgresCpuMs(services.postgresPid()) });
    for (const clients of LEVELS) {
      const movements: MovementFigures[] = [];
      const measure = async (movement: Movement, run: () => Promise<autocannon.Result>) => {
        if (!runs(movement)) return;
        if (process.env.BENCH_PG_STATEMENTS) await resetStatements(databaseUrl);
        const perf = process.env.BENCH_PERF ? profilePostgres(services.postgresPid(), `${process.env.BENCH_PERF}/${movement}-${clients}.data`) : undefined;
        cpu.start();
        const result = await run();
        const used = cpu.stop();
        if (perf) await perf();
        if (process.env.BENCH_PG_STATEMENTS) await printStatements(databaseUrl, `${movement} at ${clients} clients`, result['2xx']);
        movements.push({
          movement,
          clients,
          requestsPerSecond: result['2xx'] / result.duration, // autocannon's duration is in seconds
          p50Ms: result.latency.p50,
          p99Ms: result.latency.p99,
          count: result['2xx'],
          apiCpuMs: used.api / result['2xx'],
          postgresCpuMs: used.postgres / result['2xx'],
        });
      };
      for (const movement of ['deposit', 'borrow', 'repayment'] as const) {
        await measure(movement, () => load(api.url!, tally[movement], clients, { seconds: SECONDS }, requests[movement]));
      }
      const withdrawals = runs('withdrawal') ? await seedPositions(api.url!, users, WITHDRAWALS[clients]) : [];
      setUp.deposit += withdrawals.length;
      await measure('withdrawal', () => load(api.url!, tally.withdrawal, clients, { amount: withdrawals.length }, (i) => withdrawals[i % withdrawals.length]));
      tally.withdrawal.sent = Math.min(tally.withdrawal.sent, tally.withdrawal.accepted + clients); // autocannon may set up a request it never sends
      cpu.start();
      const pgbench = await runPgbench(services.postgresUrl, clients, SECONDS);
      const pgbenchUsed = cpu.stop();
      levels.push({ clients, movements, pgbench: { ...pgbench, postgresCpuMs: pgbenchUsed.postgres / pgbench.transactions } });
    }
    memory.stopLoad();
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last requests the load tool gave up on
    await checkPostings(api.url!, databaseUrl, users, tally, setUp);
    return { levels, memory: memory.figures(), roundTrips: await measureRoundTrips(databaseUrl) };
  } finally {
    for (const child of processes.reverse()) await child.stop();
  }
}

const ms = (value: number) => `${value.toFixed(1)} ms`;
/** CPU per movement, to the hundredth: its targets (1 ms, 1.5 ms) sit where a tenth would round across them. */
const cpu = (value: number) => `${value.toFixed(2)} ms`;

export function reportThroughput(levels: ThroughputFigures[], roundTrips: RoundTripFigures[]): string[] {
  const at8 = levels.find((level) => level.clients === 8);
  const depositAt8 = at8?.movements.find((m) => m.movement === 'deposit');
  return [
    '## Money-moving API throughput: deposits, withdrawals, borrows and repayments over HTTP vs pgbench (TPC-B-like)',
    '',
    `Deposits, borrows and repayments run ${SECONDS} s each per level, over ${USERS} accounts; withdrawals empty ${Object.values(WITHDRAWALS).join(' / ')} positions seeded before each level. Every request carries its own Idempotency-Key. pgbench runs ${SECONDS} s at the same number of clients on the same Postgres (scale ${CLIENT_LEVELS[CLIENT_LEVELS.length - 1]}), in the same level.`,
    '',
    '| clients | movement | per second | p50 | p99 | p99 / p50 | pgbench tx/s | ratio / pgbench | CPU per movement: API + Postgres | CPU per pgbench tx: Postgres |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...levels.flatMap((l) => [
      ...l.movements.map(
        (m) =>
          `| ${l.clients} | ${m.movement} | ${m.requestsPerSecond.toFixed(0)} | ${ms(m.p50Ms)} | ${ms(m.p99Ms)} | ${(m.p99Ms / m.p50Ms).toFixed(1)} | ${l.pgbench.tps.toFixed(0)} | ${(m.requestsPerSecond / l.pgbench.tps).toFixed(3)} | ${cpu(m.apiCpuMs)} + ${cpu(m.postgresCpuMs)} | ${cpu(l.pgbench.postgresCpuMs)} |`,
      ),
      `| ${l.clients} | pgbench | ${l.pgbench.tps.toFixed(0)} | ${ms(l.pgbench.p50Ms)} | ${ms(l.pgbench.p99Ms)} | ${(l.pgbench.p99Ms / l.pgbench.p50Ms).toFixed(1)} | | | | ${cpu(l.pgbench.postgresCpuMs)} |`,
    ]),
    '',
    depositAt8 && at8
      ? `At 8 clients: deposits at ${(depositAt8.requestsPerSecond / at8.pgbench.tps).toFixed(3)} of pgbench's transactions per second (target ≥ 0.2), ${cpu(depositAt8.apiCpuMs)} API and ${cpu(depositAt8.postgresCpuMs)} Postgres CPU per deposit (targets ≤ 1.5 ms and ≤ 1 ms), p99 ${(depositAt8.p99Ms / depositAt8.p50Ms).toFixed(1)}× p50 (target ≤ 5×). Load average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}.`
      : '',
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
