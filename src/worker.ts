import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createWorkerContext } from './bootstrap/create-app.js';

/** Workers only (accrual, risk, clock ticks); run as many as you like beside the API. */
async function main(): Promise<void> {
  try {
    await createWorkerContext(loadConfig(process.env), { ownsProcess: true });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}

main().catch((error) => {
  process.stderr.write(`LendLab worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
