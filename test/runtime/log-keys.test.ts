import { buildDocument, IndexNamer } from '../../libs/forwarding/documents';
import { invocationLogger, Logger } from '../../libs/runtime/logger';

/** A logger whose lines land in an array. */
function recording(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = new Logger({}, 'debug', { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('log keys: one case for every function (they share one index)', () => {
  it('refuses a key with a capital letter, at any depth, when the call is type-checked', () => {
    const { log } = recording();
    // `npm run typecheck` fails if one of these lines stops being an error.
    // @ts-expect-error camelCase key at the top
    log.info('x', { logGroup: '/a' });
    // @ts-expect-error camelCase key inside a nested object
    log.warn('x', { window: { logGroupName: '/a' } });
    // @ts-expect-error camelCase key inside an array's objects
    log.error('x', { failures: [{ taskId: 't' }] });
    // @ts-expect-error camelCase key bound to a child logger
    log.child({ requestId: 'r' });
    // Maps keyed by data keep their keys: rule and log group names are not field names.
    const byRule: Record<string, number> = { keepThisName: 1 };
    log.info('x', { dropped_by_rule: byRule, log_group: '/a', error: new Error('e') });
  });

  it('binds the request id as function_request_id, which the forwarder indexes as aws.lambda.request_id', () => {
    const { log, lines } = recording();
    invocationLogger({ awsRequestId: '830e95c2-0000-4000-8000-000000000001' }, log).info('done', {
      count: 1,
    });
    expect(lines[0]).toMatchObject({
      msg: 'done',
      function_request_id: '830e95c2-0000-4000-8000-000000000001',
    });

    // Our own line, as the forwarder receives it from the function's log group.
    const doc = buildDocument(
      { owner: '123456789012', logGroup: '/aws/lambda/logpipe-dev-forwarder', logStream: 's' },
      { id: '1', timestamp: 1764979200000, message: JSON.stringify(lines[0]) },
      { indexNamer: new IndexNamer('cwl'), region: 'us-east-1', jsonAtRoot: false },
    );
    expect(doc._source.aws.lambda?.request_id).toBe('830e95c2-0000-4000-8000-000000000001');
  });
});
