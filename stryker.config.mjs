// Mutation testing of the pure money code (issue 12): `npm run mutation` (scripts/mutation.mjs)
// runs this, then the decimal-aware mutants of scripts/decimal-mutants.mjs. Stryker mutates
// copies of the files in its sandbox (.stryker-tmp/), never src/ itself, and runs the unit
// specs only (test/mutation/jest.unit.config.js: no PostgreSQL, no Redis).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'src/markets/market-state.ts',
    'src/markets/index-math.ts',
    'src/markets/rate-model.ts',
    'src/holdings/valuation.ts',
    'src/risk/liquidation-plan.ts',
    'src/risk/liquidation-batch.ts',
    'src/risk/review-chunk.ts',
    'src/loans/repayment.ts',
    'src/markets/tier-lanes.ts',
    'src/loyalty/tiers.ts',
    'src/accrual/loyalty-cost.ts',
    'src/calc/compounding.ts',
    'src/common/money/*.ts',
    '!src/**/*.spec.ts',
  ],
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'test/mutation/jest.unit.config.js',
    // Only the specs of the money code: a "static" mutant (a module-level constant) runs every spec.
    config: {
      testMatch: ['<rootDir>/src/{markets,risk,loans,loyalty,accrual,calc,clock,common/money}/**/*.spec.ts'],
    },
  },
  // Jest runs the specs as ES modules (NestJS 12 ships only ESM), as in scripts/test.mjs.
  testRunnerNodeArgs: ['--experimental-vm-modules', '--no-warnings'],
  coverageAnalysis: 'perTest',
  // Build output and run results are not needed by the unit specs (src/generated is: a spec imports the Prisma client).
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench/out', 'scenario-results', '.lendlab'],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/stryker.json' },
  htmlReporter: { fileName: 'reports/mutation/stryker.html' },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 95, low: 90, break: null },
  concurrency: 2,
  timeoutMS: 10_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
