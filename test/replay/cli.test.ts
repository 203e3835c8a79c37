import { runScript } from '../support/script-cli';

/** `npm run replay` as a user runs it; no AWS endpoint is reachable from here. */
const replayCli = (...args: string[]) =>
  runScript('tools/replay.ts', args, { AWS_REGION: 'ap-northeast-2', AWS_MAX_ATTEMPTS: '1' });

describe('tools/replay.ts', () => {
  it('usage errors name the flag, exit 2, before any AWS call', () => {
    const missing = replayCli('--dry-run');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--stage: is required');
    expect(missing.stderr).toContain('usage: npm run replay');
    const since = replayCli('--stage', 'dev', '--since', 'yesterday');
    expect(since.status).toBe(2);
    expect(since.stderr).toContain('--since: must be a date');
    expect(since.stderr).not.toMatch(/ECONNREFUSED/);
  });

  it('a stage that cannot be read fails with exit 1, naming the function and region', () => {
    const result = replayCli('--stage', 'nowhere', '--dry-run');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'cannot read the deployed logpipe-nowhere-forwarder (is the stage deployed in ap-northeast-2?)',
    );
  });
});
