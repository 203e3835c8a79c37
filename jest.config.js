/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Transpile only (tsconfig isolatedModules): `npm run typecheck` checks types once for the project.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  // Tests start real loopback servers; give slow CI machines room without timing anything.
  testTimeout: 60000,
  // Real OpenSearch and Elasticsearch nodes (and other peers) for the integration tests.
  globalSetup: '<rootDir>/test/peers/global-setup.ts',
  globalTeardown: '<rootDir>/test/peers/global-teardown.ts',
};
