import { Inject, Injectable } from '@nestjs/common';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import { loadConfig } from '../config/app-config.js';
import type { AppConfig } from '../config/app-config.js';
import { DomainError } from '../common/errors/domain-error.js';
import { ScenarioError, parseScenario } from './scenario-format.js';
import type { ScenarioResult } from './scenario-runner.js';
import { textSummary } from './scenario-report.js';
import { WrittenResults, playOnOwnApp, writeResults } from './scenario-app.js';
import { freshDatabase } from './scenario-database.js';

/**
 * Runs a scenario for the sandbox's admin (POST /v1/scenarios) into data of its own: a new
 * database on the sandbox's Postgres and its own queue prefix on its Redis, with an
 * application of its own on a local port; the sandbox's world is not touched. The database
 * is dropped afterwards; the results are kept in scenario-results/.
 */
@Injectable()
export class ScenariosService {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async run(text: string): Promise<{ passed: boolean; files: WrittenResults; summary: string; result: ScenarioResult }> {
    let scenario;
    try {
      scenario = parseScenario(text, 'scenario');
    } catch (error) {
      if (error instanceof ScenarioError) {
        throw new DomainError(422, 'INVALID_SCENARIO', `The scenario has ${error.problems.length} problem(s)`, { problems: error.problems });
      }
      throw error;
    }
    const database = await freshDatabase(this.config.databaseUrl);
    try {
      const config = loadConfig({
        DATABASE_URL: database.url,
        REDIS_URL: this.config.redisUrl,
        QUEUE_PREFIX: `${this.config.queuePrefix}-scenario-${randomBytes(4).toString('hex')}`,
        ADMIN_API_KEY: this.config.adminApiKey,
        CLOCK_MODE: 'simulated',
        CLOCK_START: scenario.start,
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: '0',
      });
      const result = await playOnOwnApp(scenario, config);
      const files = writeResults(result, path.join('scenario-results', resultsFolderName(text, scenario.name)));
      return { passed: result.passed, files, summary: textSummary(result), result };
    } finally {
      await database.drop();
    }
  }
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
