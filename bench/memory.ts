import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export interface MemoryFigures {
  process: string;
  restMb: number;
  loadPeakMb: number;
  loadEndMb: number;
}

const SAMPLE_EVERY_MS = 250;
const SETTLE_MS = 2000;

/** Resident set size in MiB: /proc on Linux (VmRSS), `ps` elsewhere. */
export function residentMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status);
    if (kb) return Number(kb[1]) / 1024;
  } catch {
    // not Linux: ask ps
  }
  const ps = spawnSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return Number(ps.stdout.trim()) / 1024;
}

/** Samples named processes' resident memory: once at rest, then every 250 ms under load. */
export class MemorySampler {
  private readonly atRest = new Map<string, number>();
  private readonly peak = new Map<string, number>();
  private readonly last = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly pids: Record<string, number>) {}

  /** After a pause with nothing to do, so that start-up garbage has been collected. */
  async rest(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    for (const [name, pid] of Object.entries(this.pids)) this.atRest.set(name, residentMb(pid));
  }

  startLoad(): void {
    const sample = () => {
      for (const [name, pid] of Object.entries(this.pids)) {
        const mb = residentMb(pid);
        this.last.set(name, mb);
        this.peak.set(name, Math.max(this.peak.get(name) ?? 0, mb));
      }
    };
    sample();
    this.timer = setInterval(sample, SAMPLE_EVERY_MS);
  }

  stopLoad(): void {
    clearInterval(this.timer);
  }

  figures(): MemoryFigures[] {
    return Object.keys(this.pids).map((name) => ({
      process: name,
      restMb: this.atRest.get(name) ?? NaN,
      loadPeakMb: this.peak.get(name) ?? NaN,
      loadEndMb: this.last.get(name) ?? NaN,
    }));
  }
}

export function reportMemory(figures: MemoryFigures[]): string[] {
  const mb = (value: number) => `${value.toFixed(0)} MiB`;
  return [
    '## Memory: resident set of each process',
    '',
    'At rest: after start-up and a 2 s pause. Under load: sampled every 250 ms through the whole deposit benchmark (warm-up and the 1/8/32-client runs).',
    '',
    '| process | at rest | peak under load | at the end of the load |',
    '|---|---:|---:|---:|',
    ...figures.map((f) => `| ${f.process} | ${mb(f.restMb)} | ${mb(f.loadPeakMb)} | ${mb(f.loadEndMb)} |`),
  ];
}
