/**
 * What happens at each 00:00 UTC, in order. The clock crosses one boundary at a time and, for
 * each, runs first the time-reached work of that instant (maturity notices, as wherever the
 * clock stops), then these steps, one after the other, each finished before the next begins:
 *
 * - accrual: every market closes the day that ended (its interest, booked once) and sets the
 *   new day's rates and indexes; everything after reads them.
 * - loyalty tiers: each account's tier for the new day, valued at the new indexes; an account
 *   that changes tier moves its positions and loans to the new lane.
 * - risk sweep: debts grew overnight and tiers may have moved: margin calls and liquidations,
 *   at 00:00.
 *
 * The domain modules register the work of their step by name at start-up (the clock depends on
 * none of them); the order is this list's and nowhere else. Each step is idempotent per day:
 * after a crash the clock runs an unfinished boundary again, from the first step.
 */
export const DAY_STEPS = ['accrual', 'loyalty tiers', 'risk sweep'] as const;

export type DayStep = (typeof DAY_STEPS)[number];
