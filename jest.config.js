// AWS SDK v3 warns on every client created under Node < 22 (seven lines each, many per run on
// Node 20); the suite runs on Node 20 and 24 on purpose (README "Tests"). Workers and the
// processes tests start inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What both projects share. */
const common = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  // Transpile only (tsconfig isolatedModules): `npm run typecheck` checks types once for the project.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};

/**
 * Two projects (README "Development"): `unit` starts no peer (loopback servers a test starts
 * in-process are fine) and is the loop for one change (`npm run test:unit`); `integration` is
 * every `*.integration.test.ts`, with the peers its global setup starts: real OpenSearch and
 * Elasticsearch nodes, moto for the AWS APIs, the Python tools (a peer that cannot start fails
 * the run). Jest runs a project's global setup only when one of its files runs.
 */
/** @type {import('jest').Config} */
module.exports = {
  // Tests start real loopback servers; give slow CI machines room without timing anything.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.integration\\.test\\.ts$'],
      // Hides the peers from unit files: one that reaches for moto or an engine fails at once.
      setupFiles: ['<rootDir>/test/peers/unit-project.ts'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.integration.test.ts'],
      globalSetup: '<rootDir>/test/peers/global-setup.ts',
      globalTeardown: '<rootDir>/test/peers/global-teardown.ts',
    },
  ],
};
