import type { NextFunction, Request, Response } from 'express';
import type { JsonLogger } from '../common/logging/json-logger.js';
import { wallClockMs } from '../common/time/wall-clock.js';

/** One structured line per request: method, path, status and how long it took. */
export function requestLogger(logger: JsonLogger) {
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
