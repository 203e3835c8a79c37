import { Logger } from '../../libs/runtime/logger';

/** The EMF metric lines (JSON with `_aws`) a function printed on stderr while `run` ran. */
export async function emfMetricsOf(run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await run();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"_aws"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A logger that writes nowhere: for tests that assert on results, not on log lines. */
export const quiet = new Logger({}, 'error', { write: () => true });
