import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, TestApp } from '../support/test-app.js';

describe('smoke', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers health', async () => {
    const response = await app.api().get('/health').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', postgres: 'up', redis: 'up' });
  });
});
