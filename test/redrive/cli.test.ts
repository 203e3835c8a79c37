import { runScript } from '../support/script-cli';

/** The redrive command line, run as a user runs it (no AWS endpoint is reachable from here). */
const redriveCli = (...args: string[]) => runScript('tools/redrive.ts', args);

describe('tools/redrive.ts', () => {
  it('refuses an unknown function before calling AWS, naming the ones it knows', () => {
    const result = redriveCli('--stage', 'dev', '--function', 'bogus');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--function bogus: not one of forwarder, splitter, notifier, exporter');
    expect(result.stderr).not.toMatch(/ECONNREFUSED|redriving|dry run/); // nothing was started
  });

  it('asks for the stage and the function', () => {
    const result = redriveCli('--function', 'forwarder');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('usage:');
  });
});
