/**
 * Multiline memory: the peak RSS of the split CLI (`npm run split`, as users run it) on an
 * object where the splitter's object join holds the most: 400 log streams interleaved, each a
 * start line followed by 10,000 one-character continuation lines, in payloads of 100 events,
 * round robin (every stream's group stays open until the object ends). Under `maxLines: 10000`
 * every stream could hold its whole group; the held bound (8 MiB, counting each part's cost,
 * not only its line's bytes) must keep the process under 300 MB. `maxLines: 500` and no rule
 * are measured beside it in the same run. A memory figure, not a timing.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { fmt } from './support/measure';

const STREAMS = 400;
const CONTINUATION_LINES = 10_000;
const PER_PAYLOAD = 100;
export const PEAK_RSS_TARGET_MB = 300;

const root = join(__dirname, '..');
const DATA = join(tmpdir(), 'logpipe-bench-multiline');
const OBJECT = join(DATA, `interleaved-${STREAMS}x${CONTINUATION_LINES}.gz`);

function payloadJson(stream: number, from: number, to: number): string {
  const events: string[] = [];
  for (let n = from; n < to; n++) {
    const id = `${String(stream).padStart(10, '0')}${String(n).padStart(46, '0')}`;
    const message = n === 0 ? '2024-11-20 17:12:23.512 ERROR request failed' : 'x';
    events.push(`{"id":"${id}","timestamp":${1732122743505 + n},"message":"${message}"}`);
  }
  return `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"/ecs/orders","logStream":"orders/${stream}","subscriptionFilters":["firehose"],"logEvents":[${events.join(',')}]}`;
}

/** The object (gzip, records concatenated), cached in the temp directory for later runs. */
export async function generateObject(path = OBJECT): Promise<string> {
  if (existsSync(path)) return path;
  mkdirSync(DATA, { recursive: true });
  const gzip = createGzip({ level: 1 });
  const out = gzip.pipe(createWriteStream(`${path}.partial`));
  const total = CONTINUATION_LINES + 1;
  for (let from = 0; from < total; from += PER_PAYLOAD)
    for (let stream = 0; stream < STREAMS; stream++)
      if (!gzip.write(payloadJson(stream, from, Math.min(total, from + PER_PAYLOAD))))
        await once(gzip, 'drain');
  gzip.end();
  await once(out, 'finish');
  renameSync(`${path}.partial`, path);
  return path;
}

/** Peak RSS (MB) of the split CLI on the object under a rules file; the largest of its processes. */
export function splitPeakRssMb(object: string, rules: unknown): { peakMb: number; documents: string } {
  const rulesFile = join(DATA, `rules-${process.pid}.json`);
  writeFileSync(rulesFile, JSON.stringify(rules));
  const result = spawnSync(
    process.execPath,
    [join(root, 'node_modules/tsx/dist/cli.mjs'), 'tools/split.ts', object],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: {
        ...process.env,
        RULES_FILE: rulesFile,
        NODE_OPTIONS: `--require ${join(__dirname, 'support/report-max-rss.cjs')}`,
      },
    },
  );
  if (result.status !== 0) throw new Error(`split failed (${result.status}): ${result.stderr.slice(-500)}`);
  const peaks = [...result.stderr.matchAll(/^max-rss-kib (\d+)$/gm)].map((match) => Number(match[1]) / 1024);
  const documents = /^(\d+) documents from .*$/m.exec(result.stderr)?.[0] ?? '?';
  return { peakMb: Math.max(...peaks), documents };
}

export const interleavedRules = (maxLines?: number) => ({
  multiline:
    maxLines === undefined ? [] : [{ name: 'traces', logGroups: ['/ecs/*'], start: '^\\d{4}-', maxLines }],
  rules: [],
});

export async function run(): Promise<void> {
  console.log(
    `split CLI peak RSS: ${STREAMS} streams interleaved, each 1 + ${fmt(CONTINUATION_LINES)} one-character lines, ${PER_PAYLOAD} events per payload`,
  );
  const object = await generateObject();
  for (const [label, maxLines] of [
    ['maxLines: 10000', 10_000],
    ['maxLines: 500', 500],
    ['no multiline rule', undefined],
  ] as const) {
    const { peakMb, documents } = splitPeakRssMb(object, interleavedRules(maxLines));
    const verdict =
      maxLines === 10_000 ? (peakMb < PEAK_RSS_TARGET_MB ? ' (under 300 MB)' : ' OVER 300 MB') : '';
    console.log(`  ${label.padEnd(18)} ${fmt(peakMb)} MB${verdict}; ${documents}`);
  }
}
