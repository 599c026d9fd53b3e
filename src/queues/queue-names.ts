/** Every BullMQ queue LendLab uses. Redis holds only work in flight; Postgres holds the facts. */
export const QUEUES = {
  clock: 'clock',
  accrual: 'accrual',
  riskSweep: 'risk-sweep',
  riskAccount: 'risk-account',
} as const;

export const ALL_QUEUES = Object.values(QUEUES);
