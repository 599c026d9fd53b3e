import { wallClockMs } from '../time/wall-clock.js';

/**
 * Counts failed authentications per client address in a fixed window (real time: an attacker
 * does not wait for the simulated clock). Past the limit, further failures from that address
 * are answered 429 until the window ends; valid keys are never refused.
 */
export class AuthFailureCounter {
  private readonly windows = new Map<string, { startedMs: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a failure; returns true when the address is over its limit. */
  fail(address: string): boolean {
    const nowMs = wallClockMs();
    if (this.windows.size > 10_000) this.sweep(nowMs);
    let window = this.windows.get(address);
    if (!window || nowMs - window.startedMs >= this.windowMs) {
      window = { startedMs: nowMs, failures: 0 };
      this.windows.set(address, window);
    }
    window.failures += 1;
    return window.failures > this.limit;
  }

  private sweep(nowMs: number): void {
    for (const [address, window] of this.windows) {
      if (nowMs - window.startedMs >= this.windowMs) this.windows.delete(address);
    }
  }
}
