/**
 * Two projects in one run:
 * - unit: pure tests beside the code (x.test.ts), no servers;
 * - int:  tests that need Postgres or Temporal (x.int.test.ts), sharing one embedded
 *         Postgres and one Temporal dev server started in test/global-setup.ts.
 */
// jose ships only ES modules; jest's module system loads CommonJS, so swc rewrites it as it does our .ts.
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }],
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];
const ignore = ['/node_modules/', '/dist/', '/.data/', '/.tools/'];
// The chaos test (its own stack, workers killed, Postgres and Temporal restarted) saturates two
// cores; beside other int tests it made them time out. npm test runs it alone, after the rest:
// `CHAOS_RUN=alone jest --selectProjects int`.
const CHAOS = 'test/chaos\\.int\\.test\\.ts$';
const chaosAlone = process.env.CHAOS_RUN === 'alone';
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: [...ignore, '\\.int\\.test\\.ts$'],
    },
    {
      displayName: 'int',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: chaosAlone ? ['**/test/chaos.int.test.ts'] : ['**/*.int.test.ts'],
      testPathIgnorePatterns: chaosAlone ? ignore : [...ignore, CHAOS],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
    },
  ],
  maxWorkers: 2,
  testTimeout: 60000,
};
