import 'reflect-metadata';
import { ConfigError, loadConfig } from './config/app-config.js';
import { createHttpApp } from './bootstrap/create-app.js';

/** The API (and, unless RUN_WORKERS=false, the workers) in one process. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createHttpApp(config, { ownsProcess: true });
  await app.listen(config.port, config.host);
  // Started by the sandbox: stop with it, even if it was killed without a chance to stop us.
  if (process.send) process.once('disconnect', () => void app.close().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`LendLab failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
