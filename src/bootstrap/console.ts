import { existsSync } from 'node:fs';
import path from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { INestApplication } from '@nestjs/common';

/** Where `vite build` puts the learner's console (web/, built by `npm run sandbox` and the test setup). */
export function consoleDir(): string {
  return path.resolve(process.env.LENDLAB_CONSOLE_DIR || path.join(process.cwd(), 'web', 'dist'));
}

/** Paths that belong to the API and its tools: never answered with a console file. */
const API_PATHS = /^\/(v1|docs|docs-json|health|admin)(\/|$|-)/;

/**
 * The learner's console at `/`: static files (index.html and its hashed assets), served before
 * Nest's routes but only for GET/HEAD of paths outside the API, so /v1 answers (404s included)
 * keep the contract's JSON shape. The page runs under helmet's strict Content-Security-Policy:
 * one external module script, no inline script. When the console has not been built, `/` says
 * how to build it.
 */
export function serveConsole(app: INestApplication): void {
  const dir = consoleDir();
  const files = express.static(dir, { index: 'index.html', fallthrough: true, redirect: false, maxAge: 0 });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || API_PATHS.test(request.path)) return next();
    if (request.path.startsWith('/assets/')) response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    if (request.path === '/' && !existsSync(path.join(dir, 'index.html'))) {
      response
        .status(200)
        .type('html')
        .send(
          '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>LendLab</title></head><body><main><h1>LendLab</h1>' +
            '<p>The console has not been built. <code>npm run sandbox</code> builds it (or <code>npm run console:build</code>). ' +
            'The API is at <a href="/docs">/docs</a>.</p></main></body></html>',
        );
      return;
    }
    files(request, response, next);
  });
}
