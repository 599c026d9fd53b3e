// Jest runs in ESM mode (NestJS 12 ships only ES modules): see scripts/test.mjs for the flag.
import { SWC_OPTIONS } from './test/setup/swc-options.mjs';

const swc = ['@swc/jest', SWC_OPTIONS];

export default {
  rootDir: '.',
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/setup/global-setup.mjs',
  globalTeardown: '<rootDir>/test/setup/global-teardown.mjs',
  setupFiles: ['<rootDir>/test/setup/reflect.mjs'],
  testTimeout: 60_000,
  // Two cores: two test files at a time, each on its own database cloned from a template.
  maxWorkers: 2,
};
