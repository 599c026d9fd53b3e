import type { ScenarioApi } from '../../src/scenarios/scenario-runner.js';
import { ADMIN_KEY, type TestApp } from './test-app.js';

/** The scenario engine's view of a test application: its HTTP API, called in-process through supertest. */
export function scenarioApiOf(app: TestApp): ScenarioApi {
  return {
    adminKey: ADMIN_KEY,
    call: async (method, route, key, body) => {
      const client = app.api(key);
      const test = method === 'GET' ? client.get(route) : method === 'POST' ? client.post(route) : client.put(route);
      const response = await (body ? test.send(body) : test);
      return { status: response.status, body: response.body };
    },
  };
}
