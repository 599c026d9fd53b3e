#!/usr/bin/env node
// `npm run studio [-- --port 5555]`: Prisma Studio (a browser for the tables) on the sandbox's
// database: DATABASE_URL when set (environment or .env), else the URL the running sandbox wrote
// to its data folder (LENDLAB_DATA_DIR, default ./.lendlab). Works offline: Prisma 7's Studio
// talks to PostgreSQL through the pg driver and needs no downloaded engine.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadEnvFile } from './lib/config-check.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write('npm run studio [-- --port <port>]\n\nPrisma Studio on the sandbox\'s database (DATABASE_URL, else the running sandbox\'s).\n');
  process.exit(0);
}
if (process.env.LENDLAB_ENV_FILE !== 'none') loadEnvFile(path.resolve(process.env.LENDLAB_ENV_FILE || path.join(root, '.env')));
const dataDir = path.resolve(process.env.LENDLAB_DATA_DIR || path.join(root, '.lendlab'));
const urlFile = path.join(dataDir, 'database-url');
const url = process.env.DATABASE_URL || (existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : '');
if (!url) {
  process.stderr.write(`[studio] no database: start the sandbox first (npm run sandbox writes its database URL to ${urlFile}), or set DATABASE_URL.\n`);
  process.exit(2);
}
const prisma = path.join(root, 'node_modules', '.bin', 'prisma');
if (!existsSync(prisma)) {
  process.stderr.write('[studio] Prisma is not installed yet: run `npm run sandbox` (or npm install) first.\n');
  process.exit(2);
}
process.stdout.write(`[studio] Prisma Studio on ${url.replace(/:[^:@/]*@/, ':***@')} (Ctrl-C stops it)\n`);
const port = args.includes('--port') ? [] : ['--port', '5555'];
const child = spawn(prisma, ['studio', '--browser', 'none', ...port, ...args], { cwd: root, stdio: 'inherit', env: { ...process.env, DATABASE_URL: url } });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
