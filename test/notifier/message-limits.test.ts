import fc from 'fast-check';
import type { AlarmNotification } from '../../libs/notifier/alarms/types';
import { ConfigError } from '../../libs/runtime/errors';
import { loadNotifierConfig } from '../../libs/notifier/config';
import { buildAlarmMessage } from '../../libs/notifier/slack/alarm-message';
import { limitViolations } from '../../libs/notifier/slack/blocks';
import { SlackChannel } from '../../libs/notifier/slack/client';
import { neutralizeFormatting } from '../../libs/notifier/slack/escape';
import { finishMessage } from '../../libs/notifier/slack/finish';
import { markResolved } from '../../libs/notifier/slack/thread';
import { FakeSlack } from '../support/slack-server';
import { fixtureAlarm } from './fixtures';

/**
 * Every message the notifier builds fits Slack's documented Block Kit limits, whatever the
 * alarm (CloudWatch allows names of 255 characters and descriptions of 1,024, composite rules
 * with many children), and the stand-in, which refuses what Slack refuses, takes them.
 */
const nasty = fc.constantFrom('&', '<', '>', '*', '_', '~', '`', '```', '가', '😀', '\u0301', ' ', '\n', '|');
const text = (max: number) =>
  fc
    .array(fc.oneof(nasty, fc.string({ unit: 'grapheme', maxLength: 4 })), { maxLength: max })
    .map((parts) => parts.join('').slice(0, max));

const alarmArb = fc.record({
  base: fc.constantFrom('single-metric-alarm', 'metric-math-alarm', 'anomaly-alarm', 'composite-alarm'),
  name: text(255).filter((n) => n.trim() !== ''),
  description: fc.option(text(1024), { nil: undefined }),
  reason: text(1500),
  children: fc.integer({ min: 0, max: 20 }),
  lines: fc.integer({ min: 0, max: 40 }),
});

type GeneratedAlarm = Omit<typeof alarmArb extends fc.Arbitrary<infer T> ? T : never, 'base'> & {
  base: string;
};

function alarmOf(input: GeneratedAlarm): AlarmNotification {
  const base = fixtureAlarm(input.base);
  return {
    ...base,
    name: input.name,
    description: input.description,
    reason: input.reason,
    triggeringChildren: Array.from({ length: input.children }, (_, i) => ({
      arn: `arn:aws:cloudwatch:ap-northeast-2:123456789012:alarm:${input.name}-${i}`,
      name: `${input.name}-${i}`.slice(0, 255),
      state: 'ALARM',
    })),
  };
}

const options = { stage: 'dev', timeZone: 'Asia/Seoul', maxLineChars: 190, mention: '<!here>' };

describe('messages that always fit', () => {
  it('no message the notifier builds breaks a Block Kit limit (generated alarms, resolved forms too)', () => {
    fc.assert(
      fc.property(alarmArb, (input) => {
        const alarm = alarmOf(input);
        const logs = {
          found: [
            {
              logGroup: '/aws/lambda/x',
              filterPattern: '{ $.level = "error" }',
              lines: Array.from({ length: input.lines }, (_, i) => ({
                timestamp: i,
                message: input.reason || 'x'.repeat(300),
              })),
              more: true,
              insights: { query: 'fields @message', exact: true },
              window: { start: new Date(0), end: new Date(60_000) },
            },
          ],
        };
        const full = buildAlarmMessage(alarm, { ...options, logs } as never);
        const messages = [
          full,
          buildAlarmMessage(alarm, { ...options, compact: true }),
          markResolved(full, { name: alarm.name, stateChangeTime: new Date(), newState: 'OK' }, 'UTC'),
        ];
        for (const message of messages) expect(limitViolations(finishMessage(message))).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('a 255-character non-ASCII name with a 1,024-character description, and a composite with 20 children, are posted', async () => {
    const slack = await new FakeSlack().start();
    try {
      const channel = await SlackChannel.create({
        token: 'xoxb-test-token',
        slackApiUrl: slack.url,
        timeLeft: () => 20_000,
      });
      const name = '경보&'.repeat(85);
      const metric = { ...fixtureAlarm('single-metric-alarm'), name, description: '설명*`'.repeat(256) };
      const composite = alarmOf({
        base: 'composite-alarm',
        name: '&'.repeat(255),
        description: undefined,
        reason: '<'.repeat(1000),
        children: 20,
        lines: 0,
      });
      for (const alarm of [metric, composite]) {
        const message = buildAlarmMessage(alarm, options);
        // As built, before finishMessage: the bounds of the builder alone already hold.
        expect(limitViolations(message)).toEqual([]);
        expect(await channel.post('C0LIMITS', message)).toMatch(/^\d+\.\d+$/);
      }
      expect(slack.messages).toHaveLength(2);
      expect(slack.messages.every((m) => (m.blocks?.length ?? 0) > 0)).toBe(true);
    } finally {
      await slack.stop();
    }
  });

  it('blocks Slack still refuses are posted as plain text rather than lost', async () => {
    const slack = await new FakeSlack().start();
    try {
      const channel = await SlackChannel.create({
        token: 'xoxb-test-token',
        slackApiUrl: slack.url,
        timeLeft: () => 20_000,
      });
      slack.fail('chat.postMessage', { kind: 'error', error: 'invalid_blocks' });
      const message = buildAlarmMessage(fixtureAlarm('single-metric-alarm'), options);
      await channel.post('C0LIMITS', message);
      expect(slack.messages).toHaveLength(1);
      expect(slack.messages[0]?.blocks).toBeUndefined();
      expect(slack.messages[0]?.text).toContain('ALARM');
      expect(slack.messages[0]?.metadata?.event_type).toBe('alarm_state');
    } finally {
      await slack.stop();
    }
  });

  it('code fences and *bold* in names and reasons stay text', () => {
    expect(neutralizeFormatting('*bold* _it_ ~s~ `code` my_alarm_name')).toBe(
      '\u200b*\u200bbold\u200b*\u200b \u200b_\u200bit\u200b_\u200b \u200b~\u200bs\u200b~\u200b \u200b`\u200bcode\u200b`\u200b my_alarm_name',
    );
    const alarm = {
      ...fixtureAlarm('single-metric-alarm'),
      name: '```*x*```',
      reason: '*boom* ```rm -rf```',
    };
    const json = JSON.stringify(buildAlarmMessage(alarm, options).attachments);
    expect(json).not.toMatch(/(^|[^\u200b])\*boom/);
    expect(json).not.toContain('```rm');
  });

  it('refuses at cold start a log-line configuration that cannot fit in a message', () => {
    expect(() => loadNotifierConfig({ LOG_LINES_MAX: '40', LOG_LINE_MAX_CHARS: '2900' })).toThrow(
      ConfigError,
    );
    expect(() => loadNotifierConfig({ LOG_LINES_MAX: '40', LOG_LINE_MAX_CHARS: '2900' })).toThrow(
      /LOG_LINES_MAX/,
    );
    expect(loadNotifierConfig({ LOG_LINES_MAX: '40', LOG_LINE_MAX_CHARS: '190' }).maxLogLines).toBe(40);
  });
});
