import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

let ticksPerSecond: number | undefined;

/** Fields 14–17 of /proc/<pid>/stat: user and system time, own and of reaped children, in ms. */
function stat(pid: number): { own: number; children: number; parent: number } | undefined {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const ms = (i: number) => (Number(fields[i - 3]) * 1000) / ticksPerSecond!;
  return { own: ms(14) + ms(15), children: ms(16) + ms(17), parent: Number(fields[4 - 3]) };
}

/** CPU time this process has used so far, in ms. */
export function ownCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** CPU time a process has used so far, in ms (Linux /proc). */
export function processCpuMs(pid: number): number {
  return stat(pid)?.own ?? NaN;
}

/**
 * CPU time Postgres has used so far, in ms: the postmaster with every backend it has reaped,
 * plus the backends alive now. Backends come and go (pgbench opens its own), so this is the
 * only sum that counts each of them once.
 */
export function postgresCpuMs(postmasterPid: number): number {
  const postmaster = stat(postmasterPid);
  if (!postmaster) return NaN;
  let total = postmaster.own + postmaster.children;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = stat(Number(entry));
    if (child?.parent === postmasterPid) total += child.own;
  }
  return total;
}

/** CPU used by named processes between start() and stop(), in ms. */
export class CpuMeter {
  private readonly before = new Map<string, number>();

  constructor(private readonly readers: Record<string, () => number>) {}

  start(): void {
    for (const [name, read] of Object.entries(this.readers)) this.before.set(name, read());
  }

  stop(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.readers).map(([name, read]) => [name, read() - this.before.get(name)!]));
  }
}
