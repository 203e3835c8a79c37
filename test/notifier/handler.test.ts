import type { SNSEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { coldStart } from '../support/cold-start';
import { FIXTURE_DIR, loadEvent } from './fixtures';
import { lambdaContext } from '../support/lambda';

const context = lambdaContext({ awsRequestId: 'req-notifier-1', remainingMs: 30_000 });

/** The handler module as Lambda loads it: configuration read from process.env at import. */
async function loadHandler(env: Record<string, string>) {
  for (const key of Object.keys(process.env))
    if (key.startsWith('SLACK_') || key === 'STAGE') delete process.env[key];
  return coldStart('notifier', env);
}

describe('notifier handler', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    jest.resetModules();
  });

  it('with no Slack token, prints the Slack message of an SNS notification to stdout and logs the request id', async () => {
    const printed: string[] = [];
    const logged: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => (printed.push(String(chunk)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => (logged.push(String(chunk)), true));
    const handler = await loadHandler({ STAGE: 'dev' });
    const result = (await handler(loadEvent('plain-text') as unknown as SNSEvent, context)) as {
      outcomes: unknown[];
    };
    expect(result.outcomes).toHaveLength(1);
    // The golden message of the same notification (built without the invocation's clock).
    const golden = JSON.parse(readFileSync(join(FIXTURE_DIR, 'golden', 'plain-text.json'), 'utf8')) as {
      text: string;
      blocks: unknown[];
    };
    expect(printed).toHaveLength(1);
    const message = JSON.parse(printed[0]!) as typeof golden;
    expect(message.text).toBe(golden.text);
    expect(message.blocks).toEqual(golden.blocks);
    const line = logged
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === 'notification handled');
    expect(line).toMatchObject({ function_request_id: 'req-notifier-1' });
  });

  it('fails the cold start naming the variable: a Slack token without a channel', async () => {
    await expect(loadHandler({ SLACK_TOKEN_SECRET: 'logpipe/slack' })).rejects.toThrow(/SLACK_CHANNEL/);
  });
});
