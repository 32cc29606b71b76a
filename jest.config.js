// Two projects: pure-logic unit tests, and integration tests that share one set of real components
// (Temporal dev server, PostgreSQL, SMTP) started once per run by the global setup: the machine has two cores.
const base = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};

module.exports = {
  // Integration tests wait for real timers seconds apart; jest reads this only at the top level.
  testTimeout: 120000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      moduleNameMapper: { '^content-disposition$': '<rootDir>/test/support/stubs/content-disposition.js' },
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
