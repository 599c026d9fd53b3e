import { randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { createHttpApp } from '../../src/bootstrap/create-app.js';
import { loadConfig, AppConfig } from '../../src/config/app-config.js';
import { JsonLogger } from '../../src/common/logging/json-logger.js';
import { createTestDatabase } from './database.js';
import { ResponseValidator } from './openapi-validator.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  databaseUrl: string;
  /** supertest against the app, with a key when given. */
  api(key?: string): ApiClient;
  admin: ApiClient;
  get<T>(type: abstract new (...args: never[]) => T): T;
  close(): Promise<void>;
}

type Method = 'get' | 'post' | 'put' | 'delete';
export type ApiClient = Record<Method, (path: string) => request.Test>;

/**
 * The real application (HTTP, workers, Postgres, Redis) on its own database and its own queue
 * prefix, so test files running side by side share nothing.
 */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  // A DATABASE_URL of the test's own (a Postgres it starts and stops itself) is used as it is.
  const database = env.DATABASE_URL ? { url: env.DATABASE_URL, drop: async () => undefined } : await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    REDIS_URL: process.env.LENDLAB_TEST_REDIS_URL,
    ADMIN_API_KEY: ADMIN_KEY,
    QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    LOG_LEVEL: 'error',
    ...env,
  });
  const app = await createHttpApp(config, { logger: new JsonLogger('error') });
  await app.init();
  const server = app.getHttpServer();
  // Every answer a test receives through this client must be one the served document declares.
  const documented = new ResponseValidator((await request(server).get('/docs-json').expect(200)).body);
  const api = (key?: string): ApiClient => {
    const send = (method: Method, path: string) => {
      const test = request(server)[method](path).expect((response) => {
        const problem = documented.problem(method, path, response.status, response.body, response.headers['content-type']);
        if (problem) throw new Error(problem);
      });
      return key ? test.set('Authorization', `Bearer ${key}`) : test;
    };
    return {
      get: (path) => send('get', path),
      post: (path) => send('post', path),
      put: (path) => send('put', path),
      delete: (path) => send('delete', path),
    };
  };
  return {
    app,
    config,
    databaseUrl: database.url,
    api,
    admin: api(ADMIN_KEY),
    get: (type) => app.get(type),
    close: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/** A user with its main account and key, made through the API as a client would. */
export async function createUser(
  app: TestApp,
  name = 'user',
  kycStatus: 'approved' | 'pending' | 'rejected' = 'approved',
): Promise<{ id: string; apiKey: string; accountId: string }> {
  const response = await app.admin.post('/v1/users').send({ name, kycStatus }).expect(201);
  return { id: response.body.id, apiKey: response.body.apiKey, accountId: response.body.accounts[0].id };
}
