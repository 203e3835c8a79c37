import type { ScheduledEvent } from 'aws-lambda';
import event from '../fixtures/exporter/scheduled-event.json';
import { lambdaContext } from '../support/lambda';

const context = lambdaContext({
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:123456789012:function:logpipe-dev-exporter',
  remainingMs: 60_000,
});

describe('exporter handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.resetModules();
  });

  it('with nothing configured, logs a clear summary and touches no AWS API', async () => {
    for (const key of Object.keys(process.env)) if (key.startsWith('EXPORT_')) delete process.env[key];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { handler } = await import('../../functions/exporter/handler');
    const summary = await handler(event as unknown as ScheduledEvent, context);
    expect(summary).toMatchObject({ outcome: 'nothing-configured', dryRun: true });
    const lines = write.mock.calls.map((call) => String(call[0]));
    const line = JSON.parse(lines.find((l) => l.includes('"export run"'))!) as Record<string, unknown>;
    expect(line).toMatchObject({
      msg: 'export run',
      outcome: 'nothing-configured',
      function_request_id: 'req-1',
    });
    write.mockRestore();
    out.mockRestore();
  });

  it('fails the cold start naming a bad variable', async () => {
    process.env.EXPORT_PRUNE_MODE = 'everything';
    await expect(import('../../functions/exporter/handler')).rejects.toThrow(/EXPORT_PRUNE_MODE/);
  });
});
