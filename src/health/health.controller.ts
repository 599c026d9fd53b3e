import { Operation } from '../common/http/api-docs.js';
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Redis } from 'ioredis';
import { Public } from '../common/auth/auth.decorators.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { REDIS } from '../queues/queues.module.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/app-config.js';

const PROBE_TIMEOUT_MS = 2000;

async function probe(check: () => Promise<unknown>): Promise<'up' | 'down'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'up';
  } catch {
    return 'down';
  } finally {
    clearTimeout(timer);
  }
}

class HealthView {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status: string;
  @ApiProperty({ enum: ['up', 'down'] }) postgres: string;
  @ApiProperty({ enum: ['up', 'down'] }) redis: string;
  @ApiProperty({ enum: ['running', 'not in this process'] }) workers: string;
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 once Postgres and Redis answer; 503 (same body) while either does not. */
  @Get()
  @Public()
  @Operation('Is the API up, with Postgres and Redis')
  @ApiOkResponse({ type: HealthView })
  @ApiServiceUnavailableResponse({ type: HealthView, description: 'Postgres or Redis does not answer' })
  async health(@Res({ passthrough: true }) response: Response) {
    const [postgres, redis] = await Promise.all([
      probe(() => this.prisma.$queryRaw`SELECT 1`),
      probe(() => this.redis.ping()),
    ]);
    const ok = postgres === 'up' && redis === 'up';
    response.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', postgres, redis, workers: this.config.runWorkers ? 'running' : 'not in this process' };
  }
}
