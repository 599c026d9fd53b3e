import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import helmet from 'helmet';
import type { INestApplication } from '@nestjs/common';
import type { ErrorBody } from '../common/errors/domain-error.js';

const strictHeaders = helmet();
/** Swagger UI and Bull Board are pages with their own scripts and styles. */
const pageHeaders = helmet({ contentSecurityPolicy: false });

function send(response: Response, body: ErrorBody): void {
  response.status(body.statusCode).json(body);
}

/**
 * JSON bodies up to the configured size; a broken or oversize body gets the contract's error
 * body before any route sees it (Express reports these itself, outside Nest's filters).
 */
export function applyHttpHardening(app: INestApplication, bodyLimitBytes: number): void {
  app.use((request: Request, response: Response, next: NextFunction) =>
    (request.path.startsWith('/docs') || request.path.startsWith('/admin/') ? pageHeaders : strictHeaders)(request, response, next),
  );
  app.use(express.json({ limit: bodyLimitBytes, strict: true }));
  app.use((error: Error & { type?: string; status?: number }, _request: Request, response: Response, next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      return send(response, {
        statusCode: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `The body is larger than ${bodyLimitBytes} bytes`,
        details: { limitBytes: bodyLimitBytes },
      });
    }
    if (error.type === 'entity.parse.failed') {
      return send(response, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The body is not valid JSON', details: {} });
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return send(response, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The body could not be read', details: {} });
    }
    next(error);
  });
}
