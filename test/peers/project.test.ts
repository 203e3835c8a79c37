import { describeEachEngine, engineUrl } from './engine-env';
import { useMoto, withMoto } from '../support/moto';

/** This file runs in the unit project: every way to a peer must fail at once, saying what to do. */
describe('a unit test file that reaches for a peer', () => {
  const fix = /project\.test\.ts reaches for .* name it \*\.integration\.test\.ts/;

  it('fails at once for moto, naming itself and the fix', async () => {
    expect(() => useMoto()).toThrow(fix);
    await expect(withMoto(async () => 'never')).rejects.toThrow(fix);
  });

  it('fails at once for an engine, even with its URL exported in the shell', async () => {
    expect(process.env.LOGPIPE_OPENSEARCH_URL).toBeUndefined(); // hidden by test/peers/unit-project.ts
    await expect(engineUrl('opensearch', 1)).rejects.toThrow(fix);
    expect(() => describeEachEngine('x', () => undefined)).toThrow(fix);
  });
});
