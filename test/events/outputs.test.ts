import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { DeadLetter } from '../../libs/forwarding/destinations/dead-letter';
import { Logger, setLogLineMask } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { createPipeline } from '../../libs/forwarding/pipeline/pipeline';
import { forwardSubscription } from '../../libs/forwarding/sources/subscription';
import { BulkServer } from '../support/bulk-server';
import { FakeSlack } from '../support/slack-server';
import { logsData, subscriptionEvent } from '../support/subscription';
import { loadEvent } from '../notifier/fixtures';
import { testInvocation } from '../support/lambda';

/**
 * Every output besides documents and archive lines passes the stage's masks: dead letters, the
 * functions' own log lines and errors, the notifier's Slack messages. Each test holds a secret
 * that reaches the output unmasked if the masking step is taken away.
 */
const SECRET = 'hunter2-Sup3rSecret';
const rulesFile = (() => {
  const file = join(mkdtempSync(join(tmpdir(), 'logpipe-outputs-')), 'rules.json');
  writeFileSync(file, JSON.stringify({ masks: [{ name: 'everything', logGroups: ['*'], builtins: ['*'] }] }));
  return file;
})();
const ENV = {
  RULES_FILE: rulesFile,
  DESTINATION_GZIP: 'false',
  AWS_LAMBDA_FUNCTION_NAME: 'logpipe-dev-forwarder',
};
const context = testInvocation({ remainingMs: 60000, awsRequestId: 'req-1' });

afterEach(() => setLogLineMask(undefined));

describe('dead letters are masked', () => {
  it('a malformed event, dead-lettered raw, keeps no secret; its log line neither', async () => {
    const server = await new BulkServer().start();
    const dead: DeadLetter[] = [];
    const lines: string[] = [];
    try {
      const pipeline = createPipeline(
        { ...ENV, DESTINATION_URL: server.url },
        { deadLetters: { put: async (entries) => (dead.push(...entries), 'memory') } },
      );
      const payload = logsData([
        { message: `login password=${SECRET} by ana@example.com` },
        { message: `{"password":"${SECRET}"}`, timestamp: 'yesterday' as never },
      ]);
      const log = new Logger({}, 'info', { write: (line: string) => lines.push(line) });
      const report = await forwardSubscription(pipeline, subscriptionEvent(payload), context, log);
      expect(report).toMatchObject({ delivered: 1, dead_lettered: 1 });
    } finally {
      await server.stop();
    }
    expect(dead).toHaveLength(1);
    expect(JSON.stringify(dead)).not.toContain(SECRET);
    expect(dead[0]!.event).toMatchObject({ message: '{"password":"[MASKED]"}' });
    expect([...server.documents.values()][0]!.source.message).toBe('login password=[MASKED] by [EMAIL]');
    expect(lines.join('')).not.toContain(SECRET);
  });
});

describe("the functions' own log lines and errors are masked", () => {
  it('masks fields, nested values and errors once a rules file with masks is loaded', () => {
    const lines: string[] = [];
    const log = new Logger({}, 'info', { write: (line: string) => lines.push(line) });
    log.error('bulk refused', { error: new Error(`mapping failed for value ${SECRET} (token=${SECRET})`) });
    expect(lines.join('')).toContain(SECRET); // no rules file loaded yet: as it was
    createPipeline({ ...ENV, DESTINATION_URL: 'http://127.0.0.1:9' });
    lines.length = 0;
    log.error('bulk refused', { error: new Error(`mapping failed (token=${SECRET})`) });
    log.info('configured', {
      destination: `https://user:${SECRET}@search.example.com`,
      db: { password: SECRET },
    });
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(SECRET);
    expect(JSON.parse(lines[1]!)).toMatchObject({
      destination: 'https://user:[MASKED]@search.example.com',
      db: { password: '[MASKED]' },
    });
  });
});

describe("the notifier's Slack messages are masked", () => {
  const logs = mockClient(CloudWatchLogsClient);
  const logsClient = new CloudWatchLogsClient({ region: 'ap-northeast-2' });
  beforeEach(() => {
    logs.reset();
    logs.on(DescribeMetricFiltersCommand).resolves({
      metricFilters: [
        {
          logGroupName: '/aws/lambda/logpipe-dev-forwarder',
          filterPattern: '{ $.logType = "ERROR" }',
          metricTransformations: [
            { metricName: 'forwarder-logTypeError', metricNamespace: 'logpipe/dev', metricValue: '1' },
          ],
        },
      ],
    });
    logs.on(FilterLogEventsCommand).resolves({
      events: [
        {
          timestamp: Date.parse('2026-11-21T10:14:31Z'),
          message: `{"logType":"ERROR","msg":"login failed","password":"${SECRET}","user":"ana@example.com"}`,
        },
      ],
    });
  });

  it('the log lines shown in a Slack post (loopback Slack), the metadata kept', async () => {
    const slack = await new FakeSlack().start();
    try {
      const config = loadNotifierConfig({
        STAGE: 'dev',
        SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
        SLACK_CHANNEL: 'C0ALARMS',
        SLACK_API_URL: slack.url,
        RULES_FILE: rulesFile,
      });
      const rt = createNotifierRuntime(config, {
        fetchSecret: async () => JSON.stringify({ token: 'xoxb-test-token' }),
        logsClientFor: async () => logsClient,
        log: new Logger({}, 'error', { write: () => undefined }),
        now: () => new Date('2026-11-21T10:21:30Z'),
      });
      const result = await rt.handle(loadEvent('single-metric-alarm'), context.context);
      expect(result.outcomes[0]?.action).toBe('posted');
      const posted = slack.callsOf('chat.postMessage').map((call) => JSON.stringify(call.args));
      expect(posted).toHaveLength(1);
      expect(posted[0]).toContain('login failed');
      expect(posted[0]).not.toContain(SECRET);
      expect(posted[0]).not.toContain('ana@example.com');
      expect(posted[0]).toContain('metadata');
    } finally {
      await slack.stop();
    }
  });

  it('the printed message without Slack, alarm text included', async () => {
    const printed: string[] = [];
    const event = loadEvent('single-metric-alarm');
    const message = JSON.parse(event.Records[0]!.Sns.Message) as Record<string, unknown>;
    message.AlarmDescription = `Paged ana@example.com; runbook https://ops:${SECRET}@wiki.example.com`;
    event.Records[0]!.Sns.Message = JSON.stringify(message);
    const rt = createNotifierRuntime(loadNotifierConfig({ RULES_FILE: rulesFile }), {
      print: (line) => printed.push(line),
      logsClientFor: async () => logsClient,
      log: new Logger({}, 'error', { write: () => undefined }),
    });
    await rt.handle(event, {});
    expect(printed).toHaveLength(1);
    expect(printed[0]).toContain('login failed');
    expect(printed[0]).not.toContain(SECRET);
    expect(printed[0]).not.toContain('ana@example.com');
  });
});
