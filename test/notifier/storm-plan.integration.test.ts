import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { loadNotifierConfig } from '../../libs/notifier/config';
import {
  memberIdOf,
  pastThreshold,
  stormKey,
  stormMinute,
  summaryMessage,
  type StormMember,
} from '../../libs/notifier/storm-plan';
import { StormLedger } from '../../libs/notifier/storm-table';
import { limitViolations } from '../../libs/notifier/slack/blocks';
import { Logger } from '../../libs/runtime/logger';
import { createNotifierRuntime } from '../../libs/notifier/runtime';
import { alarmEvent, createLedgerTable } from '../support/alarm-ledger';
import { FakeSlack } from '../support/slack-server';
import { useMoto } from '../support/moto';
import { lambdaContext } from '../support/lambda';

/** The storm summary's plan (pure) and its count in the ledger (moto's DynamoDB). */
const moto = useMoto();
const about = { key: stormKey('C0X', '2026-12-06T05:50:00.000Z'), minute: '2026-12-06T05:50:00.000Z' };
const member = (i: number, shown = 'open'): StormMember => ({
  id: `m${i}`,
  rank: i,
  name: `alarm-${i}`,
  time: `2026-12-06T05:50:${String(i % 60).padStart(2, '0')}.000Z`,
  shown,
});

describe('the storm plan', () => {
  it('counts a change in the minute of its StateChangeTime', () => {
    expect(stormMinute('2026-12-06T05:50:59.999Z')).toBe('2026-12-06T05:50:00.000Z');
    expect(stormMinute('2026-12-06T05:51:00.000Z')).toBe('2026-12-06T05:51:00.000Z');
  });

  it('lists only past the threshold, and never with the threshold 0 (off)', () => {
    expect(pastThreshold(10, 10)).toBe(false);
    expect(pastThreshold(11, 10)).toBe(true);
    expect(pastThreshold(1000, 0)).toBe(false);
  });

  it('gives one line per episode: the same alarm firing again in the minute is another line', () => {
    const arn = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:a';
    expect(memberIdOf(arn, '2026-12-06T05:50:01.000Z')).not.toBe(memberIdOf(arn, '2026-12-06T05:50:31.000Z'));
    expect(memberIdOf(arn, '2026-12-06T05:50:01.000Z')).toBe(memberIdOf(arn, '2026-12-06T05:50:01.000Z'));
  });

  it('lists only the alarms past the threshold (the first ones have posts of their own)', () => {
    const message = summaryMessage({ ...about, threshold: 5, stage: 'dev' }, [member(5), member(6)]);
    expect(message.text).toBe('ALARM STORM: 1 more alarm at 2026-12-06 05:50 UTC, 1 firing');
    expect(JSON.stringify(message.attachments)).not.toContain('alarm-5*');
  });

  it('is red while one listed alarm fires and green once every line has ended', () => {
    const config = { ...about, threshold: 5, stage: 'dev' };
    const firing = summaryMessage(config, [member(7, 'ended:OK:2026-12-06T05:55:07.000Z'), member(6)]);
    expect(firing.text).toBe('ALARM STORM: 2 more alarms at 2026-12-06 05:50 UTC, 1 firing');
    expect(firing.attachments?.[0]?.color).toBe('#E01E5A');
    const lines = JSON.stringify(firing.attachments);
    expect(lines.indexOf('alarm-6')).toBeLessThan(lines.indexOf('alarm-7'));
    const ended = summaryMessage(config, [
      member(6, 'ended:OK:2026-12-06T05:55:06.000Z'),
      member(7, 'superseded:2026-12-06T05:52:00.000Z'),
    ]);
    expect(ended.text).toBe('RESOLVED: alarm storm at 2026-12-06 05:50 UTC, 2 more alarms, all ended');
    expect(ended.attachments?.[0]?.color).toBe('#2EB67D');
    expect(JSON.stringify(ended.attachments)).not.toContain(':rotating_light:');
  });

  it("stays within Block Kit's limits however many alarms, with names of 255 escaped characters", () => {
    for (const count of [1, 40, 400]) {
      const members = Array.from({ length: count }, (_, i) => ({
        ...member(i + 1),
        name: '&*`<'.repeat(64),
      }));
      const message = summaryMessage({ ...about, threshold: 10, stage: 'dev' }, members);
      expect(limitViolations(message)).toEqual([]);
    }
  });

  it('neutralises mentions and formatting in alarm names', () => {
    const message = summaryMessage({ ...about, threshold: 1, stage: 'dev' }, [
      { ...member(2), name: '<!channel> *bold*' },
    ]);
    expect(JSON.stringify(message)).not.toContain('<!channel>');
  });
});

describe('ALARM_STORM_THRESHOLD', () => {
  it('defaults to 10, takes 0 to turn storms off, and refuses anything else by name', () => {
    expect(loadNotifierConfig({}).stormThreshold).toBe(10);
    expect(loadNotifierConfig({ ALARM_STORM_THRESHOLD: '0' }).stormThreshold).toBe(0);
    expect(() => loadNotifierConfig({ ALARM_STORM_THRESHOLD: '-1' })).toThrow(/ALARM_STORM_THRESHOLD/);
    expect(() => loadNotifierConfig({ ALARM_STORM_THRESHOLD: 'many' })).toThrow(/ALARM_STORM_THRESHOLD/);
  });
});

describe('the storm count in the ledger (moto)', () => {
  it('gives every alarm its own rank, and a redelivery the rank it had', async () => {
    await createLedgerTable(moto.clientConfig, 'storm-count');
    const storm = new StormLedger(new DynamoDBClient(moto.clientConfig), 'storm-count');
    const key = stormKey('C0COUNT', '2026-12-06T05:50:00.000Z');
    const join = (i: number) =>
      storm.join(key, { id: `a${i}`, name: `a-${i}`, time: member(i).time, shown: 'open' });
    // Every alarm delivered twice, one after the other. Not at once: moto's server does not
    // always serialise conditional writes arriving at the same instant (on a loaded machine, 12
    // joins at once once gave two alarms one rank); DynamoDB does, and the container storm in
    // storm.test.ts joins concurrently.
    const ranks: number[] = [];
    for (const i of [...Array.from({ length: 12 }, (_, i) => i), ...Array.from({ length: 12 }, (_, i) => i)])
      ranks.push(await join(i));
    const byAlarm = new Map<number, Set<number>>();
    ranks.forEach((rank, i) => byAlarm.set(i % 12, (byAlarm.get(i % 12) ?? new Set()).add(rank)));
    for (const seen of byAlarm.values()) expect(seen.size).toBe(1);
    expect([...new Set(ranks)].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    const item = await storm.read(key);
    expect(item.memberCount).toBe(12);
    expect(item.members).toHaveLength(12);
  }, 60_000);
});

describe('the storm summary through the notifier (moto DynamoDB, loopback Slack)', () => {
  it('flapping out of order inside a storm, every change twice: every line green, one OK reply per episode', async () => {
    const slack = await new FakeSlack('xoxb-test-token', Date.UTC(2026, 11, 6, 5, 0) / 1000).start();
    try {
      const dynamo = await createLedgerTable(moto.clientConfig, 'storm-flapping');
      const config = loadNotifierConfig({
        STAGE: 'dev',
        SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
        SLACK_CHANNEL: 'C0FLAP',
        SLACK_API_URL: slack.url,
        ALARM_LEDGER_TABLE: 'storm-flapping',
        LOG_LINES_MAX: '0',
        ALARM_STORM_THRESHOLD: '1',
      });
      const runtime = createNotifierRuntime(config, {
        fetchSecret: async () => 'xoxb-test-token',
        ledgerClient: dynamo,
        log: new Logger({}, 'error', { write: () => undefined }),
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / 20)),
      });
      const at = (s: number) => new Date(Date.UTC(2026, 11, 6, 4, 1, s)).toISOString();
      const event = (name: string, state: 'ALARM' | 'OK', s: number) =>
        alarmEvent({
          name,
          state,
          oldState: state === 'ALARM' ? 'OK' : 'ALARM',
          time: at(s),
          messageId: `${name}-${state}-${s}`,
        });
      // b flaps: ALARM#1 (10 s), OK#1 (20 s), ALARM#2 (30 s), OK#2 (40 s), delivered ALARM#1, OK#2, ALARM#2, OK#1.
      const rounds = [
        [event('a', 'ALARM', 0), event('c', 'ALARM', 5), event('b', 'ALARM', 10)],
        [event('b', 'OK', 40), event('c', 'OK', 50)],
        [event('b', 'ALARM', 30), event('a', 'OK', 55)],
        [event('b', 'OK', 20)],
      ];
      const context = lambdaContext({ awsRequestId: 'req', remainingMs: 25_000 });
      // Concurrency is the container storm's (storm.test.ts); here the order and the repeats.
      for (const round of rounds)
        for (const e of round.flatMap((e) => [e, e])) await runtime.handle(e, context);
      const view = slack.view('C0FLAP');
      const summaries = view.filter((p) => /alarm storm/i.test(p.text));
      expect(summaries).toHaveLength(1);
      expect(view).toHaveLength(2);
      for (const post of view) expect(post.color).toBe('#2EB67D');
      // Four episodes (a, c, b twice), one OK reply each, wherever they were placed.
      const replies = view.flatMap((p) => p.replies);
      expect(replies).toHaveLength(4);
      expect(replies.filter((r) => r.startsWith('OK: b'))).toHaveLength(2);
      const stored = slack.messages.find((m) => /alarm storm/i.test(m.text ?? ''));
      const shown = JSON.stringify(stored?.attachments ?? []);
      expect(shown).not.toContain(':rotating_light:');
      expect(shown.match(/:white_check_mark:/g)).toHaveLength(3);
      expect(slack.callsOf('chat.delete')).toHaveLength(0);
    } finally {
      await slack.stop();
    }
  }, 60_000);
});
