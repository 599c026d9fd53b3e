import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from './config/app-config.js';
import { ScenarioError, parseScenario } from './scenarios/scenario-format.js';
import { textSummary } from './scenarios/scenario-report.js';
import { playOnOwnApp, writeResults } from './scenarios/scenario-app.js';
import { startLocalApp } from './bootstrap/create-app.js';
import { randomBytes } from 'node:crypto';
import { freshDatabase } from './scenarios/scenario-database.js';
import { comparisonText, playComparisonOnOwnApps, writeComparison } from './scenarios/scenario-comparison.js';

/**
 * `npm run scenario -- <file> [--out <folder>]` (scripts/scenario.mjs starts a fresh Postgres
 * and Redis and runs this with their URLs): the application in this process, driven over HTTP
 * on a local port by the scenario engine (src/scenarios), as any client would. An entry point
 * beside main.ts and worker.ts: it builds the application, the engine does not. Exit codes: 0 everything as expected, 1 an
 * expectation failed or a step failed unexpectedly, 2 the file is broken or the run could not
 * go on.
 */
export const USAGE = `usage: npm run scenario -- <scenario.yaml> [--out <folder>]

Plays a scenario (see scenarios/ and the README's Scenarios section) on a fresh, throw-away
Postgres and Redis against the real application and workers, prints a table per day and writes
result.json, report.html and summary.txt to scenario-results/<file name>/ (or --out <folder>).
A file naming several presets (presets: [lendlab, nexo]) is played once per preset, each on a
fresh database, and compared: comparison.html / .json / .txt, each preset's run in <preset>/.
Exit codes: 0 as expected, 1 an expectation or a step failed, 2 a broken file or a run that
could not go on.
`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const outIndex = args.indexOf('--out');
  const file = args.find((a, i) => !a.startsWith('--') && (outIndex < 0 || i !== outIndex + 1));
  if (!file) {
    process.stderr.write(USAGE);
    return 2;
  }
  let scenario;
  try {
    scenario = parseScenario(readFileSync(file, 'utf8'), file);
  } catch (error) {
    if (error instanceof ScenarioError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`${(error as Error).message}\n`);
      return 2;
    }
    throw error;
  }
  const out = outIndex >= 0 ? args[outIndex + 1] : path.join('scenario-results', path.basename(file).replace(/\.ya?ml$/, ''));
  const config = loadConfig({ ...process.env, CLOCK_MODE: 'simulated', CLOCK_START: scenario.start, LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: '0' });
  if (scenario.presets.length > 1) {
    // Each preset on a fresh database of the same server, with its own queue prefix.
    const comparison = await playComparisonOnOwnApps(
      scenario,
      async () => {
        const database = await freshDatabase(config.databaseUrl);
        return { config: { ...config, databaseUrl: database.url, queuePrefix: `${config.queuePrefix}${randomBytes(3).toString('hex')}` }, drop: database.drop };
      },
      startLocalApp,
    );
    const files = writeComparison(comparison, out);
    process.stdout.write(comparisonText(comparison));
    process.stdout.write(`\nWritten: ${files.html} (open it in a browser), ${files.json}, ${files.summary}, and each preset's own report in ${out}/<preset>/\n`);
    return comparison.passed ? 0 : 1;
  }
  const progress = process.stderr.isTTY
    ? (day: number, days: number) => process.stderr.write(`\r  simulated day ${day} of ${days}${day === days ? '\n' : ''}`)
    : undefined;
  const result = await playOnOwnApp(scenario, config, startLocalApp, progress);
  const files = writeResults(result, out);
  process.stdout.write(textSummary(result));
  process.stdout.write(`\nWritten: ${files.json}, ${files.html} (open it in a browser), ${files.summary}\n`);
  return result.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`The scenario could not run: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
