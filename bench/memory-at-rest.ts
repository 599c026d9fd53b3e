// Resident memory at rest, alone and repeatable (about 40 s instead of the throughput bench's
// 3 min): the API (RUN_WORKERS=false) and a worker started exactly as the throughput bench starts
// them, sampled 2 s after they are ready, each three times, against baselines measured in the same
// run: a bare Node.js with the same flags (the floor), and optionally the same processes of another
// build with its own node flags (BENCH_BASELINE_DIR: a checkout with its own dist/, e.g. `git worktree add /tmp/mem-old <rev>`
// then `tsc -p tsconfig.build.json` there). Besides VmRSS it prints where the memory is: V8's heap
// (process.memoryUsage(), asked for through a one-line --import probe on SIGUSR2) and the resident
// pages of mapped files (code, shared libraries) against anonymous ones (heap, malloc).
//   npm run bench -- memory-at-rest
//   BENCH_BASELINE_DIR=/tmp/mem-old npm run bench -- memory-at-rest
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { residentMb } from './memory.js';
import { BenchServices, benchDatabase, LendLabProcess, median, startBenchServices, startLendLabProcess } from './support.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SETTLE_MS = 2000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const { NODE_FLAGS, API_NODE_FLAGS }: { NODE_FLAGS: string[]; API_NODE_FLAGS: string[] } = await import(pathToFileURL(path.join(root, 'scripts', 'lib', 'node-flags.mjs')).href);

interface Sample {
  rssMb: number;
  anonMb: number;
  fileMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
}

const MB = 1024 * 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Anonymous and file-backed resident pages, from /proc/<pid>/smaps_rollup (Linux). */
function residentSplit(pid: number): { anonMb: number; fileMb: number } {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(rollup)?.[1] ?? NaN);
    const anon = kb('Anonymous');
    return { anonMb: anon / 1024, fileMb: (kb('Rss') - anon) / 1024 };
  } catch {
    return { anonMb: NaN, fileMb: NaN };
  }
}

/** process.memoryUsage() of the probed process: SIGUSR2 makes the probe write it to `file`. */
async function heapOf(pid: number, file: string): Promise<NodeJS.MemoryUsage | undefined> {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 40 && !existsSync(file); i++) await sleep(50);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage) : undefined;
}

async function sample(pid: number, probeOut: string): Promise<Sample> {
  await sleep(SETTLE_MS);
  const rssMb = residentMb(pid); // first, as the throughput bench reads it: before the probe does anything
  const split = residentSplit(pid);
  const heap = await heapOf(pid, probeOut);
  return {
    rssMb,
    ...split,
    heapUsedMb: (heap?.heapUsed ?? NaN) / MB,
    heapTotalMb: (heap?.heapTotal ?? NaN) / MB,
    externalMb: (heap?.external ?? NaN) / MB,
    arrayBuffersMb: (heap?.arrayBuffers ?? NaN) / MB,
  };
}

/** A bare Node.js with the same flags and the probe: what any process costs before LendLab loads. */
async function bareNode(flags: string[], probeOut: string): Promise<Sample> {
  const child = spawn(process.execPath, [...flags, '-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore', env: { ...process.env } });
  try {
    return await sample(child.pid!, probeOut);
  } finally {
    child.kill('SIGKILL');
  }
}

interface Variant {
  name: string;
  run: () => Promise<Sample>;
}

function variants(services: BenchServices, databaseUrl: string, probeFlags: string[], probeOut: string): Variant[] {
  const lendlab = (kind: 'api' | 'worker', dir: string) => async () => {
    // Each build with its own flags (scripts/lib/node-flags.mjs of its checkout).
    const flags: { NODE_FLAGS: string[]; API_NODE_FLAGS: string[] } = await import(pathToFileURL(path.join(dir, 'scripts', 'lib', 'node-flags.mjs')).href);
    const nodeFlags = kind === 'api' ? flags.API_NODE_FLAGS : flags.NODE_FLAGS;
    const running: LendLabProcess = await startLendLabProcess(kind, services, databaseUrl, `mem${randomUUID().slice(0, 8)}`, { build: dir, nodeFlags });
    try {
      return await sample(running.pid!, probeOut);
    } finally {
      await running.stop();
    }
  };
  const baseline = process.env.BENCH_BASELINE_DIR;
  return [
    { name: 'bare node (API flags)', run: () => bareNode([...API_NODE_FLAGS, ...probeFlags], probeOut) },
    { name: 'bare node (worker flags)', run: () => bareNode([...NODE_FLAGS, ...probeFlags], probeOut) },
    ...(baseline ? [{ name: `API, ${path.basename(baseline)}`, run: lendlab('api', baseline) }] : []),
    { name: 'API, this build', run: lendlab('api', root) },
    ...(baseline ? [{ name: `worker, ${path.basename(baseline)}`, run: lendlab('worker', baseline) }] : []),
    { name: 'worker, this build', run: lendlab('worker', root) },
  ];
}

export async function measureMemoryAtRest(services: BenchServices): Promise<string[]> {
  const probeDir = mkdtempSync(path.join(os.tmpdir(), 'lendlab-memprobe-'));
  const probe = path.join(probeDir, 'probe.mjs');
  const probeOut = path.join(probeDir, 'usage.json');
  writeFileSync(probe, `import { writeFileSync } from 'node:fs';\nprocess.on('SIGUSR2', () => writeFileSync(${JSON.stringify(probeOut)}, JSON.stringify(process.memoryUsage())));\n`);
  const probeFlags = ['--import', pathToFileURL(probe).href];
  process.env.BENCH_NODE_FLAGS = [process.env.BENCH_NODE_FLAGS ?? '', ...probeFlags].join(' ');
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  try {
    const databaseUrl = await benchDatabase(services, 'memory');
    // BENCH_ONLY=API measures only the variants whose name holds it.
    const all = variants(services, databaseUrl, probeFlags, probeOut).filter((v) => v.name.includes(process.env.BENCH_ONLY ?? ''));
    const samples = new Map<string, Sample[]>(all.map((v) => [v.name, []]));
    // Interleaved rounds, so that a burst of load from elsewhere falls on every variant alike.
    for (let round = 0; round < ROUNDS; round++) for (const variant of all) samples.get(variant.name)!.push(await variant.run());
    const mb = (value: number) => (Number.isNaN(value) ? '?' : value.toFixed(0));
    return [
      '## Memory at rest (median of ' + ROUNDS + ' starts, MiB)',
      '',
      `Load average at the start ${load}, at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}. RSS is VmRSS 2 s after the process is ready (the throughput bench's "at rest"); anonymous and file-backed are its split from smaps_rollup; heap figures are process.memoryUsage().`,
      '',
      '| process | RSS | anonymous | file-backed | heapUsed | heapTotal | external | arrayBuffers | RSS of each start |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---|',
      ...all.map(({ name }) => {
        const s = samples.get(name)!;
        const m = (key: keyof Sample) => mb(median(s.map((x) => x[key])));
        return `| ${name} | ${m('rssMb')} | ${m('anonMb')} | ${m('fileMb')} | ${m('heapUsedMb')} | ${m('heapTotalMb')} | ${m('externalMb')} | ${m('arrayBuffersMb')} | ${s.map((x) => mb(x.rssMb)).join(', ')} |`;
      }),
    ];
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const services = await startBenchServices();
  try {
    process.stdout.write(`\n${(await measureMemoryAtRest(services)).join('\n')}\n`);
  } finally {
    await services.stop();
  }
}
