import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { LogLinesFound } from '../../libs/notifier/alarms/log-lines';
import { insightsQueryFor } from '../../libs/notifier/alarms/insights-query';
import { parseSnsMessage } from '../../libs/notifier/alarms/parse';
import type { AlarmNotification } from '../../libs/notifier/alarms/types';
import { buildAlarmMessage } from '../../libs/notifier/slack/alarm-message';
import { LIMITS, limitViolations, type SlackMessage } from '../../libs/notifier/slack/blocks';
import { escapeAndTruncate, escapeMrkdwn } from '../../libs/notifier/slack/escape';
import { buildOtherMessage } from '../../libs/notifier/slack/other-message';
import { FIXTURE_DIR, fixtureAlarm, fixtureNames, loadEvent } from './fixtures';

const GOLDEN_DIR = join(FIXTURE_DIR, 'golden');
const options = { stage: 'dev', timeZone: 'Asia/Seoul', maxLineChars: 500 };

export const HOSTILE_LINES = [
  '{"logType":"ERROR","errorCode":"DA00012","errorMessage":"인증실패: 토큰 만료"}',
  'ERROR <!channel> wake everyone up <!here> <@U123>',
  'a & b < c > d &amp; <https://evil.example|click me>',
  '```closing the code block early``` *bold* _it_',
  `very long ${'x'.repeat(20_000)} end`,
  'emoji 🚨🔥 and combining é and RTL \u202e text',
];

function foundFor(alarm: AlarmNotification, lines: string[], more = false): LogLinesFound[] {
  const metric = alarm.trigger?.metrics[0] ?? { name: 'm', namespace: 'n', dimensions: [] };
  const end = alarm.stateChangeTime ?? new Date('2026-11-21T10:15:00Z');
  return [
    {
      metric,
      logGroup: '/aws/lambda/logpipe-dev-forwarder',
      filterPattern: '{ $.logType = "ERROR" }',
      window: { start: new Date(end.getTime() - 60_000), end },
      lines: lines.map((message, i) => ({ timestamp: end.getTime() - 50_000 + i * 1000, message })),
      more,
      insights: insightsQueryFor('{ $.logType = "ERROR" }'),
    },
  ];
}

/** The message each fixture turns into (ALARMs with the hostile lines as their log lines). */
function messageFor(name: string): SlackMessage {
  const sns = loadEvent(name).Records?.[0]?.Sns;
  const parsed = parseSnsMessage(sns?.Message ?? JSON.stringify(loadEvent(name)), sns?.Subject);
  if (parsed.type === 'other') return buildOtherMessage({ ...parsed, topicArn: sns?.TopicArn }, options);
  const logs =
    parsed.alarm.newState === 'ALARM' && parsed.alarm.kind === 'metric'
      ? { found: foundFor(parsed.alarm, HOSTILE_LINES) }
      : undefined;
  return buildAlarmMessage(parsed.alarm, { ...options, logs });
}

function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

describe('golden Block Kit messages', () => {
  it.each(fixtureNames())('%s matches its golden file and Slack limits', (name) => {
    const message = messageFor(name);
    expect(limitViolations(message)).toEqual([]);
    const file = join(GOLDEN_DIR, `${name}.json`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, JSON.stringify(message, null, 2) + '\n');
    }
    expect(message).toEqual(JSON.parse(readFileSync(file, 'utf8')));
  });
});

describe('alarm message content', () => {
  const alarm = fixtureAlarm('single-metric-alarm');

  it('has the state, the linked name, condition, both times, account and stage', () => {
    const message = buildAlarmMessage(alarm, options);
    const text = allText(message);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: {
        type: 'plain_text',
        text: ':rotating_light: ALARM: logpipe-dev-forwarder-logTypeError',
        emoji: true,
      },
    });
    expect(message.attachments?.[0]?.color).toBe('#E01E5A');
    expect(text).toContain(
      '<https://ap-northeast-2.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-2#alarmsV2:alarm/logpipe-dev-forwarder-logTypeError|',
    );
    expect(text).toContain('&gt;= 1 for 1 of 1 periods of 1 minute');
    expect(text).toContain('2026-11-21 10:15:00 UTC');
    expect(text).toContain('2026-11-21 19:15:00 Asia/Seoul (GMT+9)');
    expect(text).toContain('123456789012');
    expect(text).toContain('*Stage*\\ndev');
    expect(message.text).toMatch(/^ALARM: logpipe-dev-forwarder-logTypeError — Threshold Crossed/);
    expect(message.metadata).toEqual({
      event_type: 'alarm_state',
      event_payload: {
        alarm_arn: alarm.arn,
        state: 'ALARM',
        old_state: 'OK',
        time: '2026-11-21T10:15:00.123Z',
      },
    });
  });

  it('escapes only &, < and > in the reason, and keeps *bold* markers from formatting', () => {
    const message = buildAlarmMessage({ ...alarm, reason: 'value <= 3 & "quoted" *x*' }, options);
    expect(allText(message)).toContain(
      '*Reason*\\nvalue &lt;= 3 &amp; \\"quoted\\" \u200b*\u200bx\u200b*\u200b',
    );
  });

  it('mentions on ALARM only, as a real mention', () => {
    const alarmMessage = buildAlarmMessage(alarm, { ...options, mention: '<!here>' });
    expect(alarmMessage.blocks[1]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: '<!here>' } });
    expect(alarmMessage.text.startsWith('<!here> ALARM')).toBe(true);
    const ok = buildAlarmMessage(
      { ...alarm, newState: 'OK', oldState: 'ALARM' },
      { ...options, mention: '<!here>' },
    );
    expect(allText(ok)).not.toContain('<!here>');
  });

  it('shows hostile log lines escaped, cut, inside code blocks', () => {
    const message = buildAlarmMessage(alarm, { ...options, logs: { found: foundFor(alarm, HOSTILE_LINES) } });
    const code = (message.attachments?.[0]?.blocks ?? [])
      .flatMap((b) => (b.type === 'section' && b.text?.text.startsWith('```') ? [b.text.text] : []))
      .join('\n');
    expect(code).toContain('인증실패: 토큰 만료');
    expect(code).toContain('&lt;!channel&gt;');
    expect(code).not.toMatch(/<!channel>|<!here>|<@U123>|<https/);
    expect(code).toContain('a &amp; b &lt; c &gt; d &amp;amp;');
    expect(code).toContain('`\u200b``closing');
    expect(code).toContain('🚨🔥');
    expect(code).toMatch(/x…/); // the very long line was cut
    expect(code.split('\n').every((line) => line.length <= 500)).toBe(true);
    expect(limitViolations(message)).toEqual([]);
  });

  it('links Logs Insights and the exact pattern for the window', () => {
    const message = buildAlarmMessage(alarm, { ...options, logs: { found: foundFor(alarm, ['x']) } });
    const text = allText(message);
    expect(text).toContain('|Open in Logs Insights>');
    expect(text).toContain('|Log events with this pattern>');
    expect(text).toContain('1 line(s)');
  });

  it('says why log lines are missing', () => {
    const message = buildAlarmMessage(alarm, {
      ...options,
      logs: { error: 'AccessDeniedException: <nope>' },
    });
    expect(allText(message)).toContain('Log lines unavailable: AccessDeniedException: &lt;nope&gt;');
  });

  it('stays within limits for any lines and any alarm name', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 4000 }), { maxLength: 60 }),
        fc.string({ minLength: 1, maxLength: 400 }),
        fc.string({ maxLength: 5000 }),
        (lines, name, reason) => {
          const hostile = { ...alarm, name, reason, description: reason };
          const message = buildAlarmMessage(hostile, {
            ...options,
            logs: { found: foundFor(hostile, lines, true) },
          });
          expect(limitViolations(message)).toEqual([]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('other messages', () => {
  it('shows plain text escaped in a grey attachment', () => {
    const message = messageFor('plain-text');
    expect(message.attachments?.[0]?.color).toBe('#616061');
    expect(allText(message)).toContain('&lt;!channel&gt; &amp; friends — 배포 완료');
    expect(allText(message)).not.toContain('<!channel>');
  });

  it('cuts a huge text to the section limit', () => {
    const message = buildOtherMessage({ text: '<'.repeat(10_000), isJson: false }, options);
    expect(limitViolations(message)).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
  });
});

describe('escaping', () => {
  it('never cuts inside an entity or a surrogate pair', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 300 }),
        fc.integer({ min: 2, max: 200 }),
        (value, max) => {
          const out = escapeAndTruncate(value, max);
          expect(out.length).toBeLessThanOrEqual(Math.max(max, 1));
          expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
          expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
        },
      ),
    );
    expect(escapeMrkdwn('<=')).toBe('&lt;=');
  });
});
