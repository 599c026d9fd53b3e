import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../src/generated/prisma/client.js';
import { ownCpuMs } from './cpu.js';

const WARM_UP = 300;
const QUERIES = 3000;

export interface RoundTripFigures {
  client: string;
  wallUs: number;
  cpuUs: number;
}

async function measure(client: string, query: () => Promise<unknown>): Promise<RoundTripFigures> {
  for (let i = 0; i < WARM_UP; i += 1) await query();
  const cpu = ownCpuMs();
  const started = performance.now();
  for (let i = 0; i < QUERIES; i += 1) await query();
  return { client, wallUs: ((performance.now() - started) * 1000) / QUERIES, cpuUs: ((ownCpuMs() - cpu) * 1000) / QUERIES };
}

/**
 * What one statement costs the application, one after another on one connection: the same
 * parameterised `SELECT $1::int` through the pg driver alone and through Prisma (the driver
 * adapter LendLab uses). A money movement is some twenty statements, so this is the floor of
 * its CPU cost in the API process.
 */
export async function measureRoundTrips(databaseUrl: string): Promise<RoundTripFigures[]> {
  const driver = new pg.Client({ connectionString: databaseUrl });
  await driver.connect();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl, max: 1 }) });
  try {
    return [
      await measure('pg driver', () => driver.query('SELECT $1::int AS x', [1])),
      await measure('Prisma $queryRaw (adapter-pg)', () => prisma.$queryRaw`SELECT ${1}::int AS x`),
    ];
  } finally {
    await driver.end();
    await prisma.$disconnect();
  }
}

export function reportRoundTrips(figures: RoundTripFigures[]): string[] {
  return [
    `One statement, ${QUERIES.toLocaleString('en')} in a row on one connection (\`SELECT $1::int\`), measured in the bench process:`,
    '',
    '| client | wall time per statement | CPU per statement (client side) |',
    '|---|---:|---:|',
    ...figures.map((f) => `| ${f.client} | ${f.wallUs.toFixed(0)} µs | ${f.cpuUs.toFixed(0)} µs |`),
  ];
}
