import 'reflect-metadata';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/config/app-config.js';
import { JsonLogger } from '../src/common/logging/json-logger.js';
import { UsersService } from '../src/accounts/users.service.js';
import { PricesService } from '../src/prices/prices.service.js';
import { PrismaService } from '../src/prisma/prisma.service.js';
import { DEMO_PRICES } from '../src/markets/market-defaults.js';
import { AccountsService } from '../src/accounts/accounts.service.js';
import { DepositsService } from '../src/deposits/deposits.service.js';
import { ASSETS } from '../src/common/money/assets.js';
import { dec } from '../src/common/money/decimal.js';
import { DEMO_USERS, HOUSE_SUPPLY, HOUSE_USER } from './demo-world.js';

/**
 * The demo world, through the same services the API uses: markets (created at start-up with
 * their defaults), a price for every asset, two KYC-approved users with a main account and
 * an API key each, and the house lender, whose deposits give every market cash to lend (so
 * the first borrow works). Idempotent: what exists is kept, and the house deposits into a
 * market only while it has no position there (a restart deposits nothing again). API keys are stored only as hashes, so the
 * demo keys are kept in plain text in a file beside the sandbox's data (a local sandbox only).
 *
 * Usage: node dist/prisma/seed.js [keys-file]   (default .lendlab/sandbox-keys.json)
 */
interface DemoKeys {
  users: Record<string, { id: string; apiKey: string; accountId: string }>;
  /** The house lender: what it supplies to each market (its key is not kept: nobody logs in as it). */
  house?: { id: string; accountId: string; supplied: Record<string, string> };
}


async function seed(keysFile: string): Promise<DemoKeys> {
  const config = loadConfig({ ...process.env, RUN_WORKERS: 'false' });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ ...config, runWorkers: false }), {
    logger: new JsonLogger('warn'),
  });
  try {
    const prisma = app.get(PrismaService);
    const users = app.get(UsersService);
    const prices = app.get(PricesService);
    const known = await prices.current();
    for (const [asset, price] of Object.entries(DEMO_PRICES)) if (!known.has(asset)) await prices.set(asset, price);

    const keys: DemoKeys = existsSync(keysFile) ? JSON.parse(readFileSync(keysFile, 'utf8')) : { users: {} };
    for (const name of DEMO_USERS) {
      const saved = keys.users[name];
      if (saved && (await prisma.user.findUnique({ where: { id: saved.id } }))) continue;
      const created = await users.create(name, 'approved');
      keys.users[name] = { id: created.id, apiKey: created.apiKey, accountId: created.accounts[0].id };
    }
    keys.house = await seedHouse(app, keys.house?.id);
    mkdirSync(path.dirname(keysFile), { recursive: true });
    writeFileSync(keysFile, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    return keys;
  } finally {
    await app.close();
  }
}

/** The house lender (found by its id, else by its name), with a position in every market. */
async function seedHouse(app: Awaited<ReturnType<typeof NestFactory.createApplicationContext>>, knownId: string | undefined): Promise<NonNullable<DemoKeys['house']>> {
  const prisma = app.get(PrismaService);
  const accounts = app.get(AccountsService);
  const deposits = app.get(DepositsService);
  let user = knownId ? await prisma.user.findUnique({ where: { id: knownId } }) : null;
  user ??= await prisma.user.findFirst({ where: { name: HOUSE_USER }, orderBy: { createdAt: 'asc' } });
  const userId = user?.id ?? (await app.get(UsersService).create(HOUSE_USER, 'approved')).id;
  const main = await prisma.account.findFirstOrThrow({ where: { userId, label: 'main' } });
  const account = await accounts.findForCaller({ kind: 'admin' }, main.id);
  const supplied: Record<string, string> = {};
  for (const asset of ASSETS) {
    const amount = HOUSE_SUPPLY[asset.code];
    if (!amount) continue;
    supplied[asset.code] = amount;
    if (await prisma.position.findFirst({ where: { accountId: main.id, asset: asset.code } })) continue;
    await prisma.$transaction((tx) => deposits.deposit(tx, account, asset, dec(amount), asset.networks[0]));
  }
  return { id: userId, accountId: main.id, supplied };
}

const keysFile = process.argv[2] ?? path.join('.lendlab', 'sandbox-keys.json');
seed(path.resolve(keysFile)).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
