/**
 * The machine's own time. Only the clock service (real-time mode) and operational concerns
 * that must not follow the simulated clock (log timestamps, rate-limit windows, queue waits)
 * read it. It lives in common/, below everything, so that logging, auth and the queues read
 * it without depending on the clock module (which owns the simulated clock and uses them).
 */
export const wallClock = (): Date => new Date();
export const wallClockMs = (): number => Date.now();
