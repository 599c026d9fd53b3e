// Unit specs only (src/**/*.spec.ts), without the suite's global setup (no PostgreSQL, no
// Redis): what mutation testing runs (stryker.config.mjs, scripts/decimal-mutants.mjs).
// Run it by hand with: NODE_OPTIONS=--experimental-vm-modules npx jest -c test/mutation/jest.unit.config.js
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import base from '../../jest.config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default {
  rootDir: root,
  testEnvironment: base.testEnvironment,
  extensionsToTreatAsEsm: base.extensionsToTreatAsEsm,
  transform: base.transform,
  moduleNameMapper: base.moduleNameMapper,
  setupFiles: base.setupFiles,
  roots: ['<rootDir>/src'],
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testTimeout: 30_000,
};
