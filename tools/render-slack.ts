/**
 * Renders notifier payloads as an HTML page that imitates Slack's message layout, and
 * screenshots it with headless Chromium (Debian: `apt-get install -y chromium`). Not part of
 * `npm test`; it exists so a person can see what the channel will see.
 *
 *   npx tsx tools/render-slack.ts --demo /tmp/slack-demo    # the two images in docs/notifier.md
 *   npx tsx tools/render-slack.ts --demo docs/images        # regenerate the committed ones
 *   npx tsx tools/render-slack.ts payload.json out.png      # any payload the notifier printed
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { insightsQueryFor } from '../libs/notifier/alarms/insights-query';
import { parseSnsMessage } from '../libs/notifier/alarms/parse';
import type { AlarmNotification } from '../libs/notifier/alarms/types';
import { buildAlarmMessage } from '../libs/notifier/slack/alarm-message';
import type { Block, SlackMessage, TextObject } from '../libs/notifier/slack/blocks';
import { markResolved } from '../libs/notifier/slack/thread';

const EMOJI: Record<string, string> = {
  rotating_light: '🚨',
  white_check_mark: '✅',
  warning: '⚠️',
  information_source: 'ℹ️',
  grey_question: '❔',
};

function emoji(html: string): string {
  return html.replace(/:([a-z_]+):/g, (all, name: string) => EMOJI[name] ?? all);
}

/** Slack mrkdwn -> HTML. Slack's own escapes (&amp; &lt; &gt;) are valid HTML entities as they are. */
function mrkdwnToHtml(text: string): string {
  const codeBlocks: string[] = [];
  let html = text.replace(/"/g, '&quot;').replace(/```\n?([\s\S]*?)\n?```/g, (_all, code: string) => {
    codeBlocks.push(`<pre>${code}</pre>`);
    return `@@code${codeBlocks.length - 1}@@`;
  });
  html = html
    .replace(
      /<(https?:[^|>]+)\|([^>]*)>/g,
      (_all, url: string, label: string) => `<a href="${url}">${label}</a>`,
    )
    .replace(/<!(here|channel)>/g, '<span class="mention">@$1</span>')
    .replace(/<!subteam\^([A-Z0-9]+)>/g, '<span class="mention">@oncall</span>')
    .replace(/<@([A-Z0-9]+)>/g, '<span class="mention">@$1</span>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/\n/g, '<br>');
  html = html.replace(/@@code(\d+)@@/g, (_all, i: string) => codeBlocks[Number(i)] ?? '');
  return emoji(html);
}

function textHtml(text: TextObject): string {
  return text.type === 'plain_text'
    ? emoji(text.text.replace(/&/g, '&amp;').replace(/</g, '&lt;'))
    : mrkdwnToHtml(text.text);
}

function blockHtml(block: Block): string {
  switch (block.type) {
    case 'header':
      return `<div class="header">${textHtml(block.text)}</div>`;
    case 'section': {
      const text = block.text ? `<div class="text">${textHtml(block.text)}</div>` : '';
      const fields = block.fields?.length
        ? `<div class="fields">${block.fields.map((f) => `<div>${textHtml(f)}</div>`).join('')}</div>`
        : '';
      return `<div class="section">${text}${fields}</div>`;
    }
    case 'context':
      return `<div class="context">${block.elements.map(textHtml).join(' ')}</div>`;
    case 'divider':
      return '<hr>';
  }
}

function messageHtml(message: SlackMessage, time: string): string {
  const attachments = (message.attachments ?? [])
    .map(
      (a) =>
        `<div class="attachment" style="border-left-color:${a.color}">${a.blocks.map(blockHtml).join('')}</div>`,
    )
    .join('');
  return `<div class="message"><div class="avatar">🔔</div><div class="body">
    <div class="meta"><span class="name">logpipe alarms</span><span class="app">APP</span><span class="time">${time}</span></div>
    ${message.blocks.map(blockHtml).join('')}${attachments}</div></div>`;
}

const STYLE = `
  body { margin: 0; background: #fff; font: 15px/1.46668 -apple-system, 'Segoe UI', 'Noto Sans', 'NanumGothic', 'Noto Color Emoji', sans-serif; color: #1d1c1d; }
  .channel { padding: 10px 20px; border-bottom: 1px solid #e2e2e2; font-weight: 900; font-size: 18px; }
  .message { display: flex; padding: 8px 20px; }
  .avatar { width: 36px; height: 36px; border-radius: 4px; background: #4a154b; color: #fff; display: flex; align-items: center; justify-content: center; margin-right: 8px; flex: none; }
  .body { flex: 1; min-width: 0; }
  .meta .name { font-weight: 900; } .meta .app { font-size: 10px; background: #e8e8e8; color: #616061; padding: 1px 3px; border-radius: 2px; margin: 0 6px; }
  .meta .time { color: #616061; font-size: 12px; }
  .header { font-size: 18px; font-weight: 900; margin: 4px 0; }
  .attachment { border-left: 4px solid #ddd; border-radius: 4px 0 0 4px; padding: 2px 0 2px 12px; margin: 6px 0; }
  .section { margin: 6px 0; } .fields { display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px; margin-top: 6px; }
  .context { color: #616061; font-size: 12px; margin: 6px 0; }
  pre { background: #f8f8f8; border: 1px solid #e2e2e2; border-radius: 4px; padding: 8px; font: 12px/1.5 Monaco, Menlo, 'Noto Sans Mono', 'NanumGothicCoding', 'NanumGothic', monospace; white-space: pre-wrap; word-break: break-all; margin: 4px 0; }
  code { color: #e01e5a; background: #f8f8f8; border: 1px solid #e2e2e2; border-radius: 3px; padding: 0 3px; font: 12px Monaco, Menlo, monospace; }
  a { color: #1264a3; text-decoration: none; } .mention { background: #fff3c2; color: #1264a3; padding: 0 2px; border-radius: 3px; }
  .thread { margin: 0 20px 0 64px; border-left: 2px solid #e2e2e2; } .thread-title { color: #616061; font-size: 13px; padding: 6px 20px; }`;

function page(channel: string, messages: string[], thread: string[] = []): string {
  const threadHtml = thread.length
    ? `<div class="thread"><div class="thread-title">Thread · 1 reply</div>${thread.join('')}</div>`
    : '';
  return `<!doctype html><meta charset="utf-8"><style>${STYLE}</style><div class="channel"># ${channel}</div>${messages.join('')}${threadHtml}`;
}

function screenshot(html: string, png: string, height: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'render-slack-'));
  const file = join(dir, 'message.html');
  writeFileSync(file, html);
  const chromium = process.env.CHROMIUM ?? 'chromium';
  try {
    execFileSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--hide-scrollbars',
        `--screenshot=${resolve(png)}`,
        `--window-size=900,${height}`,
        `file://${file}`,
      ],
      { stdio: 'ignore' },
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    console.error(
      `render-slack needs headless Chromium and found no "${chromium}" on the PATH.\n` +
        'Install it (Debian/Ubuntu: sudo apt-get update && sudo apt-get install -y chromium) or set CHROMIUM to its path.',
    );
    process.exit(1);
  }
  console.error(`wrote ${png} (html: ${file})`);
}

function fixtureAlarm(name: string): AlarmNotification {
  const event = JSON.parse(
    readFileSync(join(__dirname, '..', 'test', 'fixtures', 'notifier', `${name}.json`), 'utf8'),
  );
  const parsed = parseSnsMessage(event.Records[0].Sns.Message);
  if (parsed.type !== 'alarm') throw new Error(`${name} is not an alarm`);
  return parsed.alarm;
}

/** A service logging JSON errors, plus lines that try to break the message. */
function demoLines(end: Date): { timestamp: number; message: string }[] {
  const lines = [
    '{"logType":"ERROR","errorCode":"DA00012","errorMessage":"인증실패: 토큰이 만료되었습니다","userId":"u-1042"}',
    '{"logType":"ERROR","errorCode":"DA00013","errorMessage":"인증실패: 서명 불일치","userId":"u-2291"}',
    '{"logType":"ERROR","errorCode":"DA00012","errorMessage":"<!channel> & <b>not bold</b> stays text","userId":"u-7"}',
  ];
  return lines.map((message, i) => ({ timestamp: end.getTime() - 45_000 + i * 9_000, message }));
}

function demo(outDir: string): void {
  const options = { stage: 'dev', timeZone: 'Asia/Seoul', maxLineChars: 500, mention: '<!here>' };
  const alarm = fixtureAlarm('single-metric-alarm');
  const end = alarm.stateChangeTime ?? new Date();
  const pattern = '{ $.logType = "ERROR" }';
  const found = [
    {
      metric: alarm.trigger!.metrics[0]!,
      logGroup: '/aws/lambda/logpipe-dev-forwarder',
      filterPattern: pattern,
      window: { start: new Date(end.getTime() - 60_000), end },
      lines: demoLines(end),
      more: false,
      insights: insightsQueryFor(pattern),
    },
  ];
  const alarmMessage = buildAlarmMessage(alarm, { ...options, logs: { found } });
  screenshot(
    page('alarms-dev', [messageHtml(alarmMessage, '7:15 PM')]),
    join(outDir, 'notifier-alarm.png'),
    640,
  );

  const ok = fixtureAlarm('single-metric-ok');
  const resolved = markResolved({ ts: '1', ...alarmMessage }, ok, options.timeZone);
  const reply = buildAlarmMessage(ok, { ...options, compact: true });
  screenshot(
    page('alarms-dev', [messageHtml(resolved, '7:15 PM')], [messageHtml(reply, '7:21 PM')]),
    join(outDir, 'notifier-ok-thread.png'),
    940,
  );
}

const [first, second] = process.argv.slice(2);
if (first === '--demo' && second) demo(second);
else if (first && second) {
  const payload = JSON.parse(readFileSync(first, 'utf8')) as SlackMessage & { channel?: string };
  screenshot(page(payload.channel ?? 'alarms', [messageHtml(payload, 'now')]), second, 900);
} else {
  console.error('usage: render-slack.ts --demo <out dir> | render-slack.ts <payload.json> <out.png>');
  process.exit(2);
}
