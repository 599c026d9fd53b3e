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
import { comparisonText, playComparisonOnOwnApps, writeComparison } from '../scenarios/scenario-comparison.js';
import type { ComparisonResult, WrittenComparison } from '../scenarios/scenario-comparison.js';
import type { Scenario } from '../scenarios/scenario-format.js';

/** A run's answer; a scenario naming several presets adds its comparison (report beside the usual ones). */
export interface ScenarioRunOutcome {
  passed: boolean;
  files: WrittenResults;
  summary: string;
  result: ScenarioResult;
  comparison?: { files: WrittenComparison; summary: string; result: ComparisonResult };
}

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

  async run(text: string): Promise<ScenarioRunOutcome> {
    let scenario;
    try {
      scenario = parseScenario(text, 'scenario');
    } catch (error) {
      if (error instanceof ScenarioError) {
        throw invalidScenario(error.problems);
      }
      throw error;
    }
    const folder = path.join('scenario-results', resultsFolderName(text, scenario.name));
    if (scenario.presets.length > 1) return this.compare(scenario, folder);
    const world = await this.freshWorld(scenario);
    try {
      const result = await playOnOwnApp(scenario, world.config, this.startOwnApp);
      const files = writeResults(result, folder);
      return { passed: result.passed, files, summary: textSummary(result), result };
    } finally {
      await world.drop();
    }
  }

  /**
   * The story once per preset, each on a fresh world; the answer's result, files and summary are
   * the first preset's (the shape a single run has), the comparison is beside them.
   */
  private async compare(scenario: Scenario, folder: string): Promise<ScenarioRunOutcome> {
    const comparison = await playComparisonOnOwnApps(scenario, () => this.freshWorld(scenario), this.startOwnApp);
    const written = writeComparison(comparison, folder);
    const first = comparison.runs[0];
    const firstFolder = path.join(folder, first.preset);
    const files = { json: path.join(firstFolder, 'result.json'), html: path.join(firstFolder, 'report.html'), summary: path.join(firstFolder, 'summary.txt') };
    return {
      passed: comparison.passed,
      files,
      summary: textSummary(first.result),
      result: first.result,
      comparison: { files: written, summary: comparisonText(comparison), result: comparison },
    };
  }

  /** A new database on the sandbox's Postgres and a queue prefix of its own: the sandbox's world is not touched. */
  private async freshWorld(scenario: Scenario) {
    const database = await freshDatabase(this.config.databaseUrl);
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
    return { config, drop: database.drop };
  }
}
