import { STATUS_CODES } from 'node:http';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import helmet from 'helmet';
import type { INestApplication } from '@nestjs/common';
import type { ErrorBody } from '../common/errors/domain-error.js';

const strictHeaders = helmet();
/** Swagger UI and Bull Board are pages with their own scripts and styles. */
const pageHeaders = helmet({ contentSecurityPolicy: false });

const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A body that names an object's prototype is an attack, never data: refuse it while parsing. */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (PROTOTYPE_KEYS.has(key)) throw Object.assign(new SyntaxError(`the key "${key}" is not allowed`), { prototypeKey: true });
  return value;
}

/** No request of this API nests deeper than a few levels; a deep one only exhausts the stack. */
const MAX_DEPTH = 16;

function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_DEPTH) return deepest;
    if (current && typeof current === 'object') for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

function send(response: Response, body: ErrorBody): void {
  response.status(body.statusCode).json(body);
}

/** What Node itself answers (bare, without a body) to a request it cannot parse, in the contract's shape. */
const CLIENT_ERRORS: Record<string, Omit<ErrorBody, 'details'>> = {
  HPE_HEADER_OVERFLOW: { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'The request line and headers are larger than the server accepts' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { statusCode: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The chunk extensions are too large' },
  ERR_HTTP_REQUEST_TIMEOUT: { statusCode: 408, code: 'REQUEST_TIMEOUT', message: 'The request took too long to arrive' },
};
const MALFORMED_REQUEST = { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The request is not valid HTTP' };

/**
 * Requests Node's HTTP parser refuses (a 100,000-character URL or header, broken HTTP) never
 * reach Express: answer them here with the contract's error body instead of Node's bare status.
 */
function answerClientErrors(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent;
    if (error.code === 'ECONNRESET' || !socket.writable || started) {
      socket.destroy();
      return;
    }
    const answer: ErrorBody = { ...(CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED_REQUEST), details: {} };
    const body = JSON.stringify(answer);
    socket.end(
      `HTTP/1.1 ${answer.statusCode} ${STATUS_CODES[answer.statusCode]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}

/**
 * JSON bodies up to the configured size; a broken or oversize body gets the contract's error
 * body before any route sees it (Express reports these itself, outside Nest's filters).
 */
export function applyHttpHardening(app: INestApplication, bodyLimitBytes: number): void {
  answerClientErrors(app.getHttpServer());
  app.use((request: Request, response: Response, next: NextFunction) =>
    (request.path.startsWith('/docs') || request.path.startsWith('/admin/') ? pageHeaders : strictHeaders)(request, response, next),
  );
  app.use(express.json({ limit: bodyLimitBytes, strict: true, reviver: refusePrototypeKeys }));
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (depthOf(request.body) > MAX_DEPTH) {
      return send(response, { statusCode: 400, code: 'VALIDATION_FAILED', message: `The body is nested more than ${MAX_DEPTH} levels deep`, details: {} });
    }
    next();
  });
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
      const message = (error as { prototypeKey?: boolean }).prototypeKey ? error.message.replace(/^Unexpected.*?: /, '') : 'The body is not valid JSON';
      return send(response, { statusCode: 400, code: 'VALIDATION_FAILED', message, details: {} });
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      return send(response, { statusCode: 400, code: 'VALIDATION_FAILED', message: 'The body could not be read', details: {} });
    }
    next(error);
  });
}
