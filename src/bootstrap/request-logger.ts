import type { LoggerService } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { wallClockMs } from '../common/time/wall-clock.js';

/** One structured line per request: method, path, status and how long it took. */
export function requestLogger(logger: LoggerService) {
  return (request: Request, response: Response, next: NextFunction) => {
    const startedMs = wallClockMs();
    response.on('finish', () => {
      logger.log(
        { method: request.method, path: request.originalUrl.split('?')[0], status: response.statusCode, ms: wallClockMs() - startedMs },
        'http',
      );
    });
    next();
  };
}
