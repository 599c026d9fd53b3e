import { Redis } from 'ioredis';
import type { TestApp } from './test-app.js';

/**
 * What BullMQ sees of a SIGKILLed worker's jobs a minute later, at once: their locks expired
 * (lockDuration, 30 s) and the jobs marked by a stall check (every 30 s), so that the next
 * stall check, which a restarted worker runs as it starts, moves them back to waiting. Only
 * for a queue whose active jobs all belonged to dead workers. Keys as in BullMQ's
 * moveStalledJobsToWait script.
 */
export async function expireDeadWorkersLocks(app: TestApp, queueName: string): Promise<string[]> {
  const redis = new Redis(app.config.redisUrl);
  try {
    const base = `${app.config.queuePrefix}:${queueName}`;
    const active = await redis.lrange(`${base}:active`, 0, -1);
    if (active.length > 0) {
      await redis.del(...active.map((id) => `${base}:${id}:lock`));
      await redis.sadd(`${base}:stalled`, ...active);
    }
    await redis.del(`${base}:stalled-check`);
    return active;
  } finally {
    redis.disconnect();
  }
}

/** Resolves once none of the queues has a job waiting, delayed or running (the work they were given is done). */
export async function queuesIdle(app: TestApp, queueNames: string[], timeoutMs = 60_000): Promise<void> {
  const redis = new Redis(app.config.redisUrl);
  try {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let busy = 0;
      for (const name of queueNames) {
        const base = `${app.config.queuePrefix}:${name}`;
        busy += (await redis.llen(`${base}:wait`)) + (await redis.llen(`${base}:active`)) + (await redis.zcard(`${base}:delayed`)) + (await redis.zcard(`${base}:prioritized`));
      }
      if (busy === 0) return;
      if (Date.now() > deadline) throw new Error(`${busy} jobs still waiting or running after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    redis.disconnect();
  }
}
