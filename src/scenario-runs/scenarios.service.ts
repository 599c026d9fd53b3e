import { Inject, Injectable } from '@nestjs/common';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module.js';
import { loadConfig } from '../config/app-config.js';
import type { AppConfig } from '../config/app-config.js';
import { invalidScenario } from '../common/errors/catalogue.js';
import { ScenarioError, parseScenario } from '../scenarios/scenario-format.js';
import type { ScenarioResult } from '../scenarios/scenario-runner.js';
import { textSummary } from '../scenarios/scenario-report.js';
import { WrittenResults, playOnOwnApp, resultsFolderName, writeResults } from '../scenarios/scenario-app.js';
import type { StartOwnApp } from '../scenarios/scenario-app.js';
import { freshDatabase } from '../scenarios/scenario-database.js';

/** How this module starts an application of its own: given by whoever builds the application (src/bootstrap). */
export const START_OWN_APP = Symbol('START_OWN_APP');

/**
 * Runs a scenario for the sandbox's admin (POST /v1/scenarios) into data of its own: a new
 * database on the sandbox's Postgres and its own queue prefix on its Redis, with an
 * application of its own on a local port; the sandbox's world is not touched. The database
 * is dropped afterwards; the results are kept in scenario-results/.
 */
@Injectable()
export class ScenariosService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(START_OWN_APP) private readonly startOwnApp: StartOwnApp,
  ) {}

  async run(text: string): Promise<{ passed: boolean; files: WrittenResults; summary: string; result: ScenarioResult }> {
    let scenario;
    try {
      scenario = parseScenario(text, 'scenario');
    } catch (error) {
      if (error instanceof ScenarioError) {
        throw invalidScenario(error.problems);
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
      const result = await playOnOwnApp(scenario, config, this.startOwnApp);
      const files = writeResults(result, path.join('scenario-results', resultsFolderName(text, scenario.name)));
      return { passed: result.passed, files, summary: textSummary(result), result };
    } finally {
      await database.drop();
    }
  }
}
