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

/**
 * The demo world, through the same services the API uses: markets (created at start-up with
 * their defaults), a price for every asset, and two KYC-approved users with a main account and
 * an API key each. Idempotent: what exists is kept. API keys are stored only as hashes, so the
 * demo keys are kept in plain text in a file beside the sandbox's data (a local sandbox only).
 *
 * Usage: node dist/prisma/seed.js [keys-file]   (default .lendlab/sandbox-keys.json)
 */
interface DemoKeys {
  users: Record<string, { id: string; apiKey: string; accountId: string }>;
}

const DEMO_USERS = ['alice', 'bob'];

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
    mkdirSync(path.dirname(keysFile), { recursive: true });
    writeFileSync(keysFile, JSON.stringify(keys, null, 2) + '\n', { mode: 0o600 });
    return keys;
  } finally {
    await app.close();
  }
}

const keysFile = process.argv[2] ?? path.join('.lendlab', 'sandbox-keys.json');
seed(path.resolve(keysFile)).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`seed failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
