/**
 * Two projects in one run:
 * - unit: pure tests beside the code (x.test.ts), no servers;
 * - int:  tests that need Postgres or Temporal (x.int.test.ts), sharing one embedded
 *         Postgres and one Temporal dev server started in test/global-setup.ts.
 */
const transform = { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] };
const ignore = ['/node_modules/', '/dist/', '/.data/', '/.tools/'];
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...ignore, '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'int',
      testEnvironment: 'node',
      transform,
      testMatch: ['**/*.int.test.ts'],
      testPathIgnorePatterns: ignore,
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  testTimeout: 60000,
};
