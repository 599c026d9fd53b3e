import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import type { Scenario } from './scenario-format.js';
import { ClockAdvancing, ScenarioApi, ScenarioResult, ScenarioRunner } from './scenario-runner.js';
import { htmlReport, textSummary } from './scenario-report.js';

/**
 * The scenario engine is a client of the application: it needs nothing of it but an address to
 * call. Whoever can build the application (src/bootstrap) hands the engine a way to start one of
 * its own; the engine never imports the application, so the application may serve the engine
 * (POST /v1/scenarios) without a cycle.
 */
export interface OwnApp {
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}
export type StartOwnApp = (config: AppConfig) => Promise<OwnApp>;

/**
 * A scenario on an application of its own: `config` names a fresh database and queue prefix;
 * the application (API and workers) listens on a local port and the runner drives it over
 * HTTP, as any client would. Used by `npm run scenario` and by POST /v1/scenarios.
 */
export async function playOnOwnApp(
  scenario: Scenario,
  config: AppConfig,
  startApp: StartOwnApp,
  onProgress?: (day: number, days: number) => void,
): Promise<PresetScenarioResult> {
  const app = await startApp(config);
  try {
    return await playOverHttp(scenario, app.url, config.adminApiKey, onProgress);
  } finally {
    await app.close();
  }
}

/** A scenario against the API at `base`, over HTTP. */
export function playOverHttp(scenario: Scenario, base: string, adminKey: string, onProgress?: (day: number, days: number) => void): Promise<PresetScenarioResult> {
  return playOnApi(scenario, httpApi(base, adminKey), onProgress);
}

/** The API at `base` as the runner calls it: over HTTP, as any client would. */
export function httpApi(base: string, adminKey: string): ScenarioApi {
  return {
    adminKey,
    call: async (method, route, key, body) => {
      const response = await fetch(`${base}${route}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      return { status: response.status, body: await response.json().catch(() => null) };
    },
  };
}

/** A scenario's result with the preset it was played under (a file naming one). */
export type PresetScenarioResult = ScenarioResult & { preset?: { name: string; notApplied: string[] } };

/**
 * The scenario's one preset (if it names one) applied through the API before the story starts,
 * as an admin would (POST /v1/presets/:name/apply); the file's own settings and markets then
 * change it further. A scenario naming several is played one preset at a time (scenario-comparison.ts).
 */
export async function playOnApi(
  scenario: Scenario,
  api: ScenarioApi,
  onProgress?: (day: number, days: number) => void,
  advancing: ClockAdvancing = 'stretches',
): Promise<PresetScenarioResult> {
  if (scenario.presets.length > 1) throw new Error('a scenario naming several presets is played one preset at a time (playComparison)');
  const name = scenario.presets[0];
  let notApplied: string[] = [];
  if (name) {
    const response = await api.call('POST', `/v1/presets/${encodeURIComponent(name)}/apply`, api.adminKey);
    if (response.status >= 400) throw new Error(`applying the preset ${name} failed (${response.status}): ${JSON.stringify(response.body)}`);
    notApplied = response.body.notApplied;
  }
  const result = await new ScenarioRunner(scenario, api, onProgress, 'once', advancing).run();
  return name ? { ...result, preset: { name, notApplied } } : result;
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

/**
 * The folder a scenario's results go to, under scenario-results/: the file's name when the text
 * is one of the shipped files in scenarios/ (`gap-crash`, as `npm run scenario` names it),
 * otherwise its `name` as a whole, in lower case with dashes (words are never cut; a very long
 * name stops at the last whole word within 100 characters).
 */
export function resultsFolderName(text: string, name: string, shippedDir = path.join(process.cwd(), 'scenarios')): string {
  if (existsSync(shippedDir)) {
    for (const file of readdirSync(shippedDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      if (readFileSync(path.join(shippedDir, file), 'utf8') === text) return file.replace(/\.ya?ml$/, '');
    }
  }
  let slug = name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  if (slug.length > 100) slug = slug.slice(0, 101).replace(/-[^-]*$/, '');
  return slug || 'scenario';
}
