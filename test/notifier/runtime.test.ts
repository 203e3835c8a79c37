import {
  CloudWatchLogsClient,
  DescribeMetricFiltersCommand,
  FilterLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { Logger } from '../../libs/runtime/logger';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { createNotifierRuntime, NotificationFailedError } from '../../libs/notifier/runtime';
import type { SecretRef } from '../../libs/runtime/secrets';
import { limitViolations, type SlackMessage } from '../../libs/notifier/slack/blocks';
import { FakeSlack } from '../support/slack-server';
import { loadEvent } from './fixtures';
import { lambdaContext } from '../support/lambda';

const logs = mockClient(CloudWatchLogsClient);
const logsClient = new CloudWatchLogsClient({ region: 'ap-northeast-2' });
const context = lambdaContext({ awsRequestId: 'req-1', remainingMs: 25_000 });
const now = () => new Date('2026-11-21T10:21:30Z');

function quietLog(lines: string[] = []) {
  return new Logger({}, 'debug', { write: (line: string) => lines.push(line) });
}

describe('notifier runtime with Slack (loopback) and CloudWatch Logs (mock)', () => {
  let slack: FakeSlack;
  let secretReads: SecretRef[];
  let logLines: string[];

  function runtime(env: Record<string, string> = {}, token = 'xoxb-test-token') {
    const config = loadNotifierConfig({
      STAGE: 'dev',
      NOTIFIER_TIME_ZONE: 'Asia/Seoul',
      SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
      SLACK_CHANNEL: 'C0ALARMS',
      SLACK_API_URL: slack.url,
      ...env,
    });
    return createNotifierRuntime(config, {
      fetchSecret: async (ref) => {
        secretReads.push(ref);
        return JSON.stringify({ token });
      },
      logsClientFor: async () => logsClient,
      log: quietLog(logLines),
      now,
    });
  }

  beforeEach(async () => {
    secretReads = [];
    logLines = [];
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
          message: '{"logType":"ERROR","errorCode":"DA00012","msg":"<!channel> 인증실패"}',
        },
      ],
    });
    slack = await new FakeSlack().start();
  });
  afterEach(() => slack.stop());

  it('posts an ALARM with its log lines and metadata, reading the token once per container', async () => {
    const rt = runtime();
    const result = await rt.handle(loadEvent('single-metric-alarm'), context);
    await rt.handle(loadEvent('metric-math-alarm'), context);
    expect(result.outcomes).toEqual([{ action: 'posted', channel: 'C0ALARMS', ts: expect.any(String) }]);
    expect(secretReads).toEqual([{ store: 'secretsmanager', id: 'logpipe/dev/slack' }]);
    const posted = slack.messages[0] as unknown as SlackMessage & { channel: string };
    expect(posted.channel).toBe('C0ALARMS');
    expect(posted.metadata?.event_payload.state).toBe('ALARM');
    expect(JSON.stringify(posted)).toContain('&lt;!channel&gt; 인증실패');
    expect(limitViolations(posted)).toEqual([]);
    // Logged outcomes carry ids, never the token or the payload.
    expect(logLines.join('')).not.toContain('xoxb-test-token');
    expect(logLines.join('')).not.toContain('인증실패');
  });

  it('threads the OK under the open ALARM and marks it resolved', async () => {
    const rt = runtime();
    await rt.handle(loadEvent('single-metric-alarm'), context);
    slack.seed({ channel: 'C0ALARMS', text: 'someone chatting' });
    const alarmTs = slack.messages[0]?.ts;
    const result = await rt.handle(loadEvent('single-metric-ok'), context);
    expect(result.outcomes).toEqual([
      { action: 'replied', channel: 'C0ALARMS', ts: expect.any(String), thread_ts: alarmTs },
    ]);
    const reply = slack.messages.find((m) => m.thread_ts === alarmTs && m.ts !== alarmTs);
    expect(JSON.stringify(reply)).toContain(':white_check_mark: OK');
    const original = slack.messages[0];
    expect(original?.metadata?.event_payload.state).toBe('OK');
    expect(JSON.stringify(original?.blocks)).toContain('RESOLVED: logpipe-dev-forwarder-logTypeError');
    expect(JSON.stringify(original?.attachments)).toContain('#2EB67D');
    expect(JSON.stringify(original?.attachments)).toContain('Back to OK at 2026-11-21 10:21:00 UTC');
    // The OK read history back THREAD_LOOKBACK_HOURS from its state change.
    const history = slack.callsOf('conversations.history').at(-1)?.args;
    expect(Number(history?.oldest)).toBe(Date.parse('2026-11-20T10:21:00.456Z') / 1000);
  });

  it('drops the ALARM mention from the resolved post', async () => {
    const rt = runtime({ SLACK_MENTION_ON_ALARM: '<!here>' });
    await rt.handle(loadEvent('single-metric-alarm'), context);
    expect(JSON.stringify(slack.messages[0]?.blocks)).toContain('<!here>');
    await rt.handle(loadEvent('single-metric-ok'), context);
    expect(JSON.stringify(slack.messages[0]?.blocks)).not.toContain('<!here>');
    expect(JSON.stringify(slack.messages[0]?.blocks)).toContain('RESOLVED');
  });

  it('posts an OK on its own when no open ALARM is in recent history', async () => {
    const rt = runtime();
    const result = await rt.handle(loadEvent('single-metric-ok'), context);
    expect(result.outcomes[0]?.action).toBe('posted');
    expect(slack.callsOf('chat.update')).toHaveLength(0);
  });

  it('does not post a repeated OK again, nor thread it to an ALARM already resolved', async () => {
    const rt = runtime();
    await rt.handle(loadEvent('single-metric-alarm'), context);
    await rt.handle(loadEvent('single-metric-ok'), context);
    const again = await rt.handle(loadEvent('single-metric-ok'), context);
    expect(again.outcomes[0]).toMatchObject({ action: 'duplicate', ts: slack.messages[0]?.ts });
    expect(slack.callsOf('chat.postMessage')).toHaveLength(2);
  });

  it('still posts the OK when history cannot be read', async () => {
    const rt = runtime();
    slack.fail('conversations.history', { kind: 'error', error: 'missing_scope' });
    const result = await rt.handle(loadEvent('single-metric-ok'), context);
    expect(result.outcomes[0]?.action).toBe('posted');
    expect(logLines.join('\n')).toContain('could not read channel history');
  });

  it('skips INSUFFICIENT_DATA by default and posts it when configured', async () => {
    const skipped = await runtime().handle(loadEvent('anomaly-insufficient-data'), context);
    expect(skipped.outcomes[0]).toMatchObject({ action: 'skipped' });
    expect(secretReads).toEqual([]); // nothing to post: no token read, no Slack call
    expect(slack.callsOf('chat.postMessage')).toHaveLength(0);
    const posted = await runtime({ POST_INSUFFICIENT_DATA: 'true' }).handle(
      loadEvent('anomaly-insufficient-data'),
      context,
    );
    expect(posted.outcomes[0]?.action).toBe('posted');
  });

  it('routes by alarm name prefix and mentions on ALARM', async () => {
    const rt = runtime({
      SLACK_CHANNEL_ROUTES: 'logpipe-dev-=C0DEV,logpipe-dev-forwarder-=C0FWD',
      SLACK_MENTION_ON_ALARM: '<!subteam^S0ONCALL>',
    });
    await rt.handle(loadEvent('single-metric-alarm'), context);
    await rt.handle(loadEvent('composite-alarm'), context);
    expect(slack.messages.map((m) => m.channel)).toEqual(['C0FWD', 'C0DEV']);
    expect(slack.messages[0]?.text?.startsWith('<!subteam^S0ONCALL> ALARM')).toBe(true);
  });

  it('posts the alarm without lines when the look-up fails, saying why', async () => {
    logs
      .on(DescribeMetricFiltersCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await runtime().handle(loadEvent('single-metric-alarm'), context);
    expect(JSON.stringify(slack.messages[0])).toContain(
      'Log lines unavailable: AccessDeniedException: denied',
    );
  });

  it('fails the invocation on invalid_auth and reads the token again next time', async () => {
    const rt = runtime({}, 'xoxb-revoked');
    const error = await rt.handle(loadEvent('single-metric-alarm'), context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotificationFailedError);
    expect((error as Error).message).toContain(
      'SlackPermanentError: Slack chat.postMessage failed: invalid_auth',
    );
    expect((error as Error).cause).toMatchObject({ name: 'SlackPermanentError', code: 'invalid_auth' });
    await rt.handle(loadEvent('single-metric-alarm'), context).catch(() => undefined);
    expect(secretReads).toHaveLength(2);
  });

  it('fails on channel_not_found without re-reading the token', async () => {
    const rt = runtime();
    slack.fail('chat.postMessage', { kind: 'error', error: 'channel_not_found' }, 2);
    await expect(rt.handle(loadEvent('plain-text'), context)).rejects.toThrow('channel_not_found');
    await expect(rt.handle(loadEvent('plain-text'), context)).rejects.toThrow('channel_not_found');
    expect(secretReads).toHaveLength(1);
  });

  it('fails with a transient error when Slack rate limits past the remaining time', async () => {
    slack.fail('chat.postMessage', { kind: 'ratelimited', retryAfter: 60 });
    await expect(runtime().handle(loadEvent('plain-text'), context)).rejects.toThrow(
      /SlackTransientError.*rate limited/,
    );
  });
});

describe('notifier runtime without Slack (embedded default)', () => {
  it.each(['single-metric-alarm', 'composite-ok', 'plain-text', 'junk'])(
    'prints one JSON payload line for %s',
    async (name) => {
      const printed: string[] = [];
      const rt = createNotifierRuntime(loadNotifierConfig({}), {
        print: (line) => printed.push(line),
        logsClientFor: async () => logsClient,
        log: quietLog(),
      });
      logs.reset();
      logs.on(DescribeMetricFiltersCommand).resolves({ metricFilters: [] });
      const result = await rt.handle(loadEvent(name), {});
      expect(result.outcomes[0]?.action).toBe('printed');
      expect(printed).toHaveLength(1);
      expect(printed[0]).not.toContain('\n');
      const payload = JSON.parse(printed[0] ?? '') as SlackMessage & { channel: string };
      expect(payload.channel).toBe('#alarms');
      expect(payload.text.length).toBeGreaterThan(0);
      expect(limitViolations(payload)).toEqual([]);
    },
  );

  it('turns an event that is not SNS into one generic message', async () => {
    const printed: string[] = [];
    const rt = createNotifierRuntime(loadNotifierConfig({}), {
      print: (line) => printed.push(line),
      log: quietLog(),
    });
    await rt.handle(null, {});
    await rt.handle({ Records: [{ nope: true }] }, {});
    expect(printed.map((line) => JSON.parse(line).text)).toEqual([
      'Notification: null',
      expect.stringContaining('"nope": true'),
    ]);
  });
});

describe('an alarm of another account', () => {
  it('says where its log lines are instead of showing this account’s lines of the same name', async () => {
    const printed: string[] = [];
    let lookedUp = 0;
    const runtime = createNotifierRuntime(loadNotifierConfig({ STAGE: 'dev' }), {
      logsClientFor: async () => {
        lookedUp += 1;
        return { send: async () => ({ metricFilters: [] }) } as never;
      },
      print: (line) => printed.push(line),
      log: new Logger({}, 'error', { write: () => undefined }),
    });
    const event = loadEvent('single-metric-alarm');
    const context = lambdaContext({
      invokedFunctionArn: 'arn:aws:lambda:ap-northeast-2:999988887777:function:logpipe-dev-notifier',
      remainingMs: 20_000,
    });
    await runtime.handle(event, context);
    expect(lookedUp).toBe(0);
    expect(printed[0]).toContain('the alarm is in account 123456789012: its lines are in that account');
  });
});
