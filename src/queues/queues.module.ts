import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { BullModule } from '@nestjs/bullmq';
import { Redis } from 'ioredis';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';
import { ALL_QUEUES } from './queue-names.js';

export const REDIS = Symbol('REDIS');

/** A plain Redis connection for health checks and small coordination; queues have their own. */
// Global on purpose: infrastructure. The Redis connection and BullMQ's queues (@InjectQueue) are shared
// plumbing, like the database; which domain module uses which queue is named by QUEUES at its call.
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      // BullMQ's workers need maxRetriesPerRequest: null: a blocked command waits for Redis to return.
      useFactory: (config: AppConfig) => ({ connection: { url: config.redisUrl, maxRetriesPerRequest: null }, prefix: config.queuePrefix }),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }),
    },
  ],
  exports: [BullModule, REDIS],
})
export class QueuesModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    this.redis.disconnect();
  }
}
