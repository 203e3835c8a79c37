import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { alarmEvent, createLedgerTable } from '../support/alarm-ledger';
import { useMoto } from '../support/moto';
import { FakeSlack } from '../support/slack-server';

/**
 * The storm of issue 26's "Done when": N alarms, each ALARM and its OK delivered twice (SNS
 * redelivers), all at once in shuffled order, each delivery handled by a container process of
 * its own (test/support/notifier-container.ts; a container handles one delivery at a time, as
 * Lambda's do), against the Slack stand-in holding Slack's limits: 1 post a second per channel,
 * Tier 3 for the other methods, and for a non-Marketplace app 1 history read a minute. A failed
 * delivery is retried as Lambda retries an asynchronous event (a minute later, then two), and
 * after that is counted in the failure queue. Time runs TIME_SCALE times faster.
 */
const moto = useMoto();
const CHANNEL = 'C0STORM';
const TIME_SCALE = 10;
const CONTAINERS = 6;
const TIMEOUT_MS = 30_000; // serverless.yml: the notifier's timeout
const RETRY_DELAYS_MS = [60_000, 120_000];
const GREEN = '#2EB67D';

interface Delivery {
  id: number;
  event: unknown;
  attempts: number;
}

/** Lambda's asynchronous invocation, as far as the storm needs it: a queue, retries, a failure queue. */
async function storm(deliveries: Delivery[], env: Record<string, string>) {
  const realStart = Date.now();
  const virtualStart = Date.UTC(2026, 11, 6, 6, 0);
  const containers: ChildProcess[] = [];
  const queue: { delivery: Delivery; notBefore: number }[] = deliveries.map((delivery) => ({
    delivery,
    notBefore: 0,
  }));
  const failureQueue: { delivery: Delivery; error: string }[] = [];
  const virtualNow = () => (Date.now() - realStart) * TIME_SCALE;
  let running = 0;
  let poll: NodeJS.Timeout | undefined;
  await new Promise<void>((resolveAll, rejectAll) => {
    const idle: ChildProcess[] = [];
    const waiting = new Map<number, (result: { ok: boolean; error?: string }) => void>();
    const pump = () => {
      if (queue.length === 0 && running === 0) return resolveAll();
      const due = queue.filter((q) => q.notBefore <= virtualNow());
      while (idle.length > 0 && due.length > 0) {
        const next = due.shift()!;
        queue.splice(queue.indexOf(next), 1);
        const container = idle.shift()!;
        running += 1;
        next.delivery.attempts += 1;
        waiting.set(next.delivery.id, (result) => {
          running -= 1;
          idle.push(container);
          if (!result.ok) {
            const delay = RETRY_DELAYS_MS[next.delivery.attempts - 1];
            if (delay === undefined)
              failureQueue.push({ delivery: next.delivery, error: result.error ?? '' });
            else queue.push({ delivery: next.delivery, notBefore: virtualNow() + delay });
          }
          pump();
        });
        container.send({ id: next.delivery.id, event: next.delivery.event, timeoutMs: TIMEOUT_MS });
      }
    };
    for (let i = 0; i < CONTAINERS; i += 1) {
      const container = fork(join(__dirname, '..', 'support', 'notifier-container.ts'), {
        execArgv: ['--import', 'tsx'],
        env: {
          ...process.env,
          ...env,
          TIME_SCALE: String(TIME_SCALE),
          CLOCK_REAL_START: String(realStart),
          CLOCK_VIRTUAL_START: String(virtualStart),
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      container.stderr?.resume();
      container.on('error', rejectAll);
      container.on('message', (message: { ready?: boolean; id?: number; ok?: boolean; error?: string }) => {
        if (message.ready) {
          idle.push(container);
          return pump();
        }
        waiting.get(message.id!)?.({ ok: message.ok ?? false, error: message.error });
      });
      containers.push(container);
    }
    // Retries fall due while every container is idle: look again now and then.
    poll = setInterval(pump, 50);
  }).finally(() => {
    clearInterval(poll);
    for (const container of containers) container.kill();
  });
  return { failureQueue, virtualSeconds: Math.round(virtualNow() / 1000) };
}

function deliveriesFor(alarms: number): Delivery[] {
  const list: Delivery[] = [];
  for (let i = 0; i < alarms; i += 1) {
    const name = `storm-${i}`;
    const alarmAt = new Date(Date.UTC(2026, 11, 6, 5, 50, i)).toISOString();
    const okAt = new Date(Date.UTC(2026, 11, 6, 5, 55, i)).toISOString();
    for (const copy of [0, 1]) {
      list.push({
        id: list.length,
        attempts: 0,
        event: alarmEvent({
          name,
          state: 'ALARM',
          oldState: 'OK',
          time: alarmAt,
          messageId: `${name}-alarm`,
        }),
      });
      list.push({
        id: list.length,
        attempts: 0,
        event: alarmEvent({ name, state: 'OK', oldState: 'ALARM', time: okAt, messageId: `${name}-ok` }),
      });
      void copy;
    }
  }
  // Shuffled (Fisher-Yates): SNS and Lambda promise no order.
  for (let i = list.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

describe.each([
  { app: 'non-marketplace' as const, alarms: 20 },
  { app: 'internal' as const, alarms: 50 },
])('a storm of $alarms alarms on a $app app (storm summary off)', ({ app, alarms }) => {
  it(
    'ends with one resolved post per alarm, one OK reply each, nothing in the failure queue',
    async () => {
      const slack = await new FakeSlack('xoxb-test-token', Date.UTC(2026, 11, 6, 6, 0) / 1000).start();
      try {
        slack.limitPosts(TIME_SCALE);
        slack.limitTiers(app, TIME_SCALE);
        const table = `storm-ledger-${app}`;
        await createLedgerTable(moto.clientConfig, table);
        const result = await storm(deliveriesFor(alarms), {
          STAGE: 'dev',
          SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
          SLACK_CHANNEL: CHANNEL,
          SLACK_API_URL: slack.url,
          ALARM_LEDGER_TABLE: table,
          LOG_LINES_MAX: '0',
          ALARM_STORM_THRESHOLD: '0',
          MOTO_ENDPOINT: moto.endpoint,
        });
        expect(result.failureQueue).toEqual([]);
        const view = slack.view(CHANNEL);
        expect(view).toHaveLength(alarms);
        for (const post of view) {
          expect(post).toEqual({
            text: expect.stringMatching(/^RESOLVED: storm-\d+$/),
            color: GREEN,
            replies: [expect.stringMatching(/^OK: storm-\d+/)],
          });
        }
        expect(new Set(view.map((p) => p.text)).size).toBe(alarms);
        report(`storm ${app} ${alarms} alarms`, result, slack);
      } finally {
        await slack.stop();
      }
    },
    10 * 60_000,
  );
});

function report(label: string, result: { virtualSeconds: number }, slack: FakeSlack) {
  process.stdout.write(
    `${label}: ${result.virtualSeconds} s (notifier time); calls ${JSON.stringify(
      Object.fromEntries(
        [
          'chat.postMessage',
          'chat.update',
          'chat.delete',
          'conversations.history',
          'conversations.replies',
        ].map((m) => [m, slack.callsOf(m).length]),
      ),
    )}; 429s ${JSON.stringify(Object.fromEntries(slack.rateLimited))}\n`,
  );
}

/**
 * Past ALARM_STORM_THRESHOLD alarms in the minute, the rest are lines of one summary: with 20
 * alarms and a threshold of 5, 5 posts of their own and one summary listing 15, every line
 * green after the last OK, each OK a reply in the summary's thread, nothing in the failure queue.
 */
describe('a storm of 20 alarms past a threshold of 5 a minute, on an internal app', () => {
  it(
    'ends with 5 resolved posts and one resolved summary listing the other 15',
    async () => {
      const alarms = 20;
      const threshold = 5;
      const slack = await new FakeSlack('xoxb-test-token', Date.UTC(2026, 11, 6, 6, 0) / 1000).start();
      try {
        slack.limitPosts(TIME_SCALE);
        slack.limitTiers('internal', TIME_SCALE);
        const table = 'storm-ledger-summary';
        await createLedgerTable(moto.clientConfig, table);
        const result = await storm(deliveriesFor(alarms), {
          STAGE: 'dev',
          SLACK_TOKEN_SECRET: 'logpipe/dev/slack',
          SLACK_CHANNEL: CHANNEL,
          SLACK_API_URL: slack.url,
          ALARM_LEDGER_TABLE: table,
          LOG_LINES_MAX: '0',
          ALARM_STORM_THRESHOLD: String(threshold),
          MOTO_ENDPOINT: moto.endpoint,
        });
        expect(result.failureQueue).toEqual([]);
        const view = slack.view(CHANNEL);
        const own = view.filter((p) => p.text.startsWith('RESOLVED: storm-'));
        const summaries = view.filter((p) => /alarm storm/i.test(p.text));
        expect(own).toHaveLength(threshold);
        expect(summaries).toHaveLength(1);
        expect(view).toHaveLength(threshold + 1);
        for (const post of own)
          expect(post).toEqual({
            text: expect.any(String),
            color: GREEN,
            replies: [expect.stringMatching(/^OK: storm-\d+/)],
          });
        const summary = summaries[0]!;
        expect(summary.text).toMatch(
          /^RESOLVED: alarm storm at 2026-12-06 05:50 UTC, 15 more alarms, all ended$/,
        );
        expect(summary.color).toBe(GREEN);
        // One OK reply per listed alarm, none twice; together with the own posts, every alarm once.
        const listed = summary.replies.map((r) => /^OK: (storm-\d+)/.exec(r)?.[1]);
        expect(new Set(listed).size).toBe(alarms - threshold);
        const ownNames = own.map((p) => /storm-\d+/.exec(p.text)?.[0]);
        expect(new Set([...listed, ...ownNames]).size).toBe(alarms);
        // Every line of the summary shows its OK: nothing red.
        const stored = slack.messages.find((m) => m.channel === CHANNEL && /alarm storm/i.test(m.text ?? ''));
        const shown = JSON.stringify(stored?.attachments ?? []);
        for (const name of listed) expect(shown).toContain(`*${name}* · ALARM at`);
        expect(shown.match(/:white_check_mark:/g)).toHaveLength(alarms - threshold);
        expect(shown).not.toContain(':rotating_light:');
        report(`storm summary internal ${alarms} alarms threshold ${threshold}`, result, slack);
      } finally {
        await slack.stop();
      }
    },
    10 * 60_000,
  );
});
