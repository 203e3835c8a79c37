// AWS SDK v3 warns on every client created under Node < 22 (seven lines each, many per run on
// Node 20); the suite runs on Node 20 and 24 on purpose (README "Tests"). Workers and the
// processes tests start inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only (tsconfig isolatedModules): `npm run typecheck` checks types once for the project.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Tests start real loopback servers; give slow CI machines room without timing anything.
  testTimeout: 60000,
  // Peers shared by every test file: real OpenSearch and Elasticsearch nodes, moto for the AWS
  // APIs; a peer that cannot start fails the run.
  globalSetup: '<rootDir>/test/peers/global-setup.ts',
  globalTeardown: '<rootDir>/test/peers/global-teardown.ts',
};
