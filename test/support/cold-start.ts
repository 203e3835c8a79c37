import type { Context } from 'aws-lambda';

/** A function's deployed handler module, loaded the way Lambda loads it. */
export type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** Loads a function's handler module afresh with `env` as its environment (a cold start). */
export function coldStart(
  fn: 'forwarder' | 'splitter' | 'notifier' | 'exporter',
  env: Record<string, string>,
): Handler {
  Object.assign(process.env, env);
  let handler: Handler | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a fresh module per cold start
    handler = (require(`../../functions/${fn}/handler`) as { handler: Handler }).handler;
  });
  return handler!;
}
