import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { JsonLogger } from '../common/logging/json-logger.js';
import type { Scenario } from './scenario-format.js';
import { ScenarioApi, ScenarioResult, ScenarioRunner } from './scenario-runner.js';
import { htmlReport, textSummary } from './scenario-report.js';

/**
 * A scenario on an application of its own: `config` names a fresh database and queue prefix;
 * the application (API and workers) listens on a local port and the runner drives it over
 * HTTP, as any client would. Used by `npm run scenario` and by POST /v1/scenarios.
 */
export async function playOnOwnApp(scenario: Scenario, config: AppConfig, onProgress?: (day: number, days: number) => void): Promise<ScenarioResult> {
  // Imported here, not at the top: the API's own module list includes the scenarios module.
  const { createHttpApp } = await import('../bootstrap/create-app.js');
  const app = await createHttpApp(config, { logger: new JsonLogger('error') });
  await app.listen(0, '127.0.0.1');
  try {
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const api: ScenarioApi = {
      adminKey: config.adminApiKey,
      call: async (method, route, key, body) => {
        const response = await fetch(`${base}${route}`, {
          method,
          headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        return { status: response.status, body: await response.json().catch(() => null) };
      },
    };
    return await new ScenarioRunner(scenario, api, onProgress).run();
  } finally {
    await app.close();
  }
}

export interface WrittenResults {
  json: string;
  html: string;
  summary: string;
}

/** result.json (the figures), report.html (the charts) and summary.txt (the table) in `folder`. */
export function writeResults(result: ScenarioResult, folder: string): WrittenResults {
  mkdirSync(folder, { recursive: true });
  const files = { json: path.join(folder, 'result.json'), html: path.join(folder, 'report.html'), summary: path.join(folder, 'summary.txt') };
  writeFileSync(files.json, JSON.stringify(result, null, 2) + '\n');
  writeFileSync(files.html, htmlReport(result));
  writeFileSync(files.summary, textSummary(result));
  return files;
}
