// Three projects: pure-logic unit tests; integration tests that share one set of real components (Temporal dev
// server, PostgreSQL, SMTP) started once per run by the global setup, as the machine has two cores; and browser tests
// (Chromium driven by playwright-core) against the same components with the built web app, run last.
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

// @fastify/cookie and its ES-module `cookie` are rewritten to CommonJS (see test/support/stubs/esm-to-commonjs.js).
const ESM_PACKAGES = '@fastify/cookie';

const realComponents = {
  ...base,
  transform: {
    ...base.transform,
    [`/node_modules/${ESM_PACKAGES}/.+\\.js$`]: '<rootDir>/test/support/stubs/esm-to-commonjs.js',
  },
  transformIgnorePatterns: [`^(?!.*/node_modules/${ESM_PACKAGES}/).*/node_modules/`],
  moduleNameMapper: { '^content-disposition$': '<rootDir>/test/support/stubs/content-disposition.js' },
  // One module for both projects: jest runs a global hook once per distinct path, so the components stop once.
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  // Integration tests wait for real timers seconds apart; jest reads this only at the top level.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Browser tests after all others: they need the web build and are the slowest to start (jest orders the files of
  // every project together, and runs the global setups in that order too).
  testSequencer: '<rootDir>/test/support/browser-last-sequencer.js',
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...realComponents,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
    },
    {
      ...realComponents,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.spec.ts'],
      // Builds the web app when its sources are newer than apps/web/dist, then the shared components (once).
      globalSetup: '<rootDir>/test/support/browser-global-setup.ts',
    },
    // The long fault scenarios (`npm run test:faults`, which sets UPLIFT_FAULTS=1): minutes each, so never part of
    // plain `npm test`, whose short fault cases live in test/integration.
    ...(process.env.UPLIFT_FAULTS === '1'
      ? [
          {
            ...realComponents,
            displayName: 'faults',
            testMatch: ['<rootDir>/test/faults/**/*.spec.ts'],
            globalSetup: '<rootDir>/test/support/global-setup.ts',
          },
        ]
      : []),
    // `npm run test:cluster` (UPLIFT_CLUSTER=1): the stack on a Temporal cluster on PostgreSQL with two worker
    // processes. Its global setup builds the Temporal server from source on first use (minutes), so never in `npm test`.
    ...(process.env.UPLIFT_CLUSTER === '1'
      ? [
          {
            ...realComponents,
            displayName: 'cluster',
            testMatch: ['<rootDir>/test/cluster/**/*.spec.ts'],
            globalSetup: '<rootDir>/test/cluster/cluster-global-setup.ts',
          },
        ]
      : []),
  ],
};
