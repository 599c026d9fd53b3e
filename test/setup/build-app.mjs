// Compiles src/ (with the same SWC options Jest uses) to node_modules/.cache/lendlab-test-app,
// so that tests can run the application as real operating-system processes (worker.js,
// main.js) to kill them, or run two of them. Inside node_modules so that the compiled files
// resolve the project's packages; a second or so, against tsc's twenty.
import path from 'node:path';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { transformFile } from '@swc/core';
import { SWC_OPTIONS } from './swc-options.mjs';


const MIGRATOR_FILES = ['scripts/lib/migrate.mjs'];

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/**
 * Compiles into a folder of this run's own (two runs side by side must not delete each
 * other's files) and returns it: `dir` holds main.js and worker.js, `remove` deletes it.
 */
export async function buildApp(root) {
  const out = path.join(root, 'node_modules', '.cache', 'lendlab-test-app', String(process.pid));
  rmSync(out, { recursive: true, force: true });
  const files = sources(path.join(root, 'src'));
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(file, { ...SWC_OPTIONS, filename: file });
      const target = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, code);
    }),
  );
  // The migrator the application imports (src/scenarios/scenario-database.ts), beside it as in
  // dist/ (tsconfig.build.json compiles it there): plain JavaScript already.
  for (const file of MIGRATOR_FILES) {
    mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
    copyFileSync(path.join(root, file), path.join(out, file));
  }
  writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  return { dir: path.join(out, 'src'), remove: () => rmSync(out, { recursive: true, force: true }) };
}
