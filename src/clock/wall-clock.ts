/**
 * The machine's own time. Only the clock service (real-time mode) and operational concerns
 * that must not follow the simulated clock (log timestamps, rate-limit windows) read it.
 */
export const wallClock = (): Date => new Date();
export const wallClockMs = (): number => Date.now();
