/**
 * Which jest project a test file runs in (jest.config.js). Unit files start no peer; the helpers
 * that hand out moto or an engine call `requireIntegrationProject` first, so a unit file that
 * reaches for one fails at once, saying how to fix it, instead of waiting for a peer.
 */
export const UNIT_PROJECT_MARK = 'LOGPIPE_TEST_PROJECT';

export function requireIntegrationProject(peer: string): void {
  if (process.env[UNIT_PROJECT_MARK] !== 'unit') return;
  const file = expect.getState().testPath ?? 'this test file';
  throw new Error(
    `${file} reaches for ${peer}, but it runs in the unit project, which starts no peer: ` +
      'name it *.integration.test.ts (jest.config.js) or keep it to loopback servers it starts itself',
  );
}
