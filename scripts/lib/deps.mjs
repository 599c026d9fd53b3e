// Brings a fresh clone to a runnable state: dependencies installed, Prisma client generated,
// TypeScript built. Each step is skipped when its output is newer than its inputs.
// No imports from node_modules here: this runs before they exist.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

function newest(paths) {
  let latest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const stat = statSync(p);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(p)) if (entry !== 'generated') visit(path.join(p, entry));
    } else latest = Math.max(latest, stat.mtimeMs);
  };
  paths.forEach(visit);
  return latest;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function run(root, command, args, what) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: process.env });
  if (result.status !== 0) throw new Error(`${what} failed (${command} ${args.join(' ')} exited ${result.status})`);
}

export function ensureDependencies(root, log) {
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(root, 'package.json')) && existsSync(path.join(root, 'node_modules', '.bin', 'jest'))) return;
  log('Installing dependencies (npm install; about a minute the first time)...');
  // `npm install`, not `npm ci`: the lock file cannot list other platforms' optional native
  // packages that this registry does not serve, and `npm ci` would refuse it (stack-notes).
  run(root, 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], 'npm install');
}

export function ensurePrismaClient(root, log) {
  const client = path.join(root, 'src', 'generated', 'prisma', 'client.ts');
  if (mtime(client) >= mtime(path.join(root, 'prisma', 'schema.prisma'))) return;
  log('Generating the Prisma client...');
  run(root, path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], 'prisma generate');
}

export function ensureBuilt(root, log) {
  const built = path.join(root, 'dist', 'src', 'main.js');
  const sources = newest([path.join(root, 'src'), path.join(root, 'prisma'), path.join(root, 'bench'), path.join(root, 'scripts', 'lib', 'migrate.mjs'), path.join(root, 'tsconfig.json'), path.join(root, 'tsconfig.build.json')]);
  if (mtime(built) >= sources && mtime(built) >= mtime(path.join(root, 'src', 'generated', 'prisma', 'client.ts'))) return;
  log('Compiling TypeScript...');
  run(root, path.join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], 'tsc');
}

/** The learner's console (web/, Vite): built to web/dist when its sources are newer, served by the API at /. */
export function ensureConsoleBuilt(root, log) {
  const built = path.join(root, 'web', 'dist', 'index.html');
  const sources = newest([
    path.join(root, 'web', 'src'),
    path.join(root, 'web', 'index.html'),
    path.join(root, 'web', 'vite.config.mjs'),
    path.join(root, 'src', 'charts'),
    path.join(root, 'src', 'common', 'money', 'assets.ts'),
    path.join(root, 'client', 'lendlab-api.d.ts'),
    path.join(root, 'scenarios'),
  ]);
  if (mtime(built) >= sources) return;
  log('Building the console (web/, vite build)...');
  run(root, path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', path.join('web', 'vite.config.mjs')], 'vite build');
}
