/**
 * Issue 24's blind test: a corpus of log lines written by an outside tester who never read the
 * masking code or its own corpus (test/fixtures/masking-blind/, generate.ts builds it), sent
 * through `sls invoke local -f forwarder` as a user runs it, with every built-in mask on.
 *
 * Measured against a run of the same payloads with no mask (the baseline documents):
 * - recall: share of secret lines whose document (message and every field, JSON in strings
 *   decoded) keeps no run of 8 characters of any of their secrets (the whole secret if shorter);
 * - false positives: share of ordinary lines whose document differs from the baseline's;
 * - JSON kept: every message that was a JSON object is still one with the same keys (a key
 *   whose whole value was masked counts as kept), JSON inside string values too;
 * - Fluent Bit records on Kinesis holding the same secrets as fields: none reaches a document.
 * It prints the numbers, per class and per form, and the missed lines grouped by class.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CorpusLine } from '../fixtures/masking-blind/generate';
import { EC2_METADATA, documentId, fluentBitLine, kinesisEvent } from '../support/kinesis';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';

const root = join(__dirname, '..', '..');
const corpus: CorpusLine[] = readFileSync(join(root, 'test/fixtures/masking-blind/corpus.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line.length > 0)
  .map((line) => JSON.parse(line) as CorpusLine);

const RECALL_TARGET = 0.95;
const FALSE_POSITIVE_LIMIT = 0.01;
/** CloudWatch Logs batches a subscription's events (up to 1 MB); a few hundred per payload here. */
const EVENTS_PER_PAYLOAD = 400;

type Source = Record<string, unknown>;
type Documents = Map<string, Source>;

let dir = '';
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'blind-corpus-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `sls invoke local -f forwarder -p <payload>` with a rules file; the documents it printed, by `_id`. */
function invokeForwarder(payload: unknown, rules: unknown, name: string): Documents {
  const payloadFile = join(dir, `${name}.json`);
  const rulesFile = join(dir, `${name}.rules.json`);
  writeFileSync(payloadFile, JSON.stringify(payload));
  writeFileSync(rulesFile, JSON.stringify(rules));
  const stdout = execFileSync(
    join(root, 'node_modules', '.bin', 'sls'),
    ['invoke', 'local', '-f', 'forwarder', '-p', payloadFile, '-e', `RULES_FILE=${rulesFile}`],
    {
      cwd: root,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
      timeout: 240_000,
    },
  );
  const documents: Documents = new Map();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"_id"')) continue;
    const document = JSON.parse(line) as { _id: string; _source: Source };
    documents.set(document._id, document._source);
  }
  return documents;
}

const EVERY_BUILTIN = { masks: [{ name: 'every-builtin', logGroups: ['*'], builtins: ['*'] }] };
const NO_MASK = { masks: [] };

function logGroupOf(line: CorpusLine): string {
  return line.form.startsWith('lambda') ? '/aws/lambda/orders-api' : '/ecs/web';
}

/** The corpus as subscription payloads (one log group each, as CloudWatch Logs batches them). */
function subscriptionPayloads(): Array<{ payload: unknown; ids: string[] }> {
  const payloads: Array<{ payload: unknown; ids: string[] }> = [];
  for (const group of ['/aws/lambda/orders-api', '/ecs/web']) {
    const lines = corpus.map((line, n) => ({ line, n })).filter(({ line }) => logGroupOf(line) === group);
    for (let at = 0; at < lines.length; at += EVENTS_PER_PAYLOAD) {
      const chunk = lines.slice(at, at + EVENTS_PER_PAYLOAD);
      const data = logsData(
        chunk.map(({ line, n }) => ({
          id: eventId(n),
          timestamp: 1795834800000 + n * 1000,
          message: line.line,
        })),
        {
          logGroup: group,
          logStream: group === '/ecs/web' ? 'web/app/5f1a9c2e7b8d4e6f' : '2026/11/28/[$LATEST]0a1b2c3d',
        },
      );
      payloads.push({ payload: subscriptionEvent(data), ids: chunk.map(({ n }) => eventId(n)) });
    }
  }
  return payloads;
}

/** Every key and value of a document, with JSON held in strings decoded too. */
function textsOf(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') {
    out.push(value);
    const decoded = parseJson(value.trim().replace(/^\uFEFF/, ''));
    if (decoded !== undefined && typeof decoded === 'object') textsOf(decoded, out);
  } else if (typeof value === 'number' || typeof value === 'bigint') out.push(String(value));
  else if (Array.isArray(value)) value.forEach((v) => textsOf(v, out));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      textsOf(v, out);
    }
  return out;
}

function parseJson(text: string): unknown {
  if (!text.startsWith('{') && !text.startsWith('[')) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** The first run of 8 characters of a secret (the whole secret if shorter) found in the texts. */
function leakedRun(secret: string, texts: string[]): string | undefined {
  const width = Math.min(8, secret.length);
  const haystack = texts.join('\u0000');
  for (let i = 0; i + width <= secret.length; i++) {
    const run = secret.slice(i, i + width);
    if (haystack.includes(run)) return run;
  }
  return undefined;
}

/** Paths of the original JSON missing from the masked one (a masked whole value keeps its key). */
function lostKeys(original: unknown, masked: unknown, path = ''): string[] {
  if (typeof original === 'string') {
    const inner = parseJson(original);
    if (inner === undefined || typeof inner !== 'object') return [];
    if (typeof masked !== 'string') return [`${path} (was a JSON string)`];
    const maskedInner = parseJson(masked);
    if (maskedInner === undefined) return masked === original ? [] : [`${path} (JSON string no longer JSON)`];
    return lostKeys(inner, maskedInner, path);
  }
  if (!original || typeof original !== 'object') return [];
  if (typeof masked === 'string') return []; // the whole value was masked
  if (!masked || typeof masked !== 'object') return [`${path} (object became ${typeof masked})`];
  const lost: string[] = [];
  for (const [key, value] of Object.entries(original))
    if (!(key in masked)) lost.push(`${path}.${key}`);
    else lost.push(...lostKeys(value, (masked as Record<string, unknown>)[key], `${path}.${key}`));
  return lost;
}

const shorten = (secret: string) =>
  secret.length <= 12 ? `${secret.slice(0, 3)}…` : `${secret.slice(0, 8)}…(${secret.length})`;
function shortened(line: string, secrets: string[]): string {
  let out = line;
  for (const secret of secrets) out = out.split(secret).join(shorten(secret));
  return out.length > 240 ? `${out.slice(0, 240)}…` : out;
}

interface Tally {
  total: number;
  missed: number;
}
function count(tallies: Map<string, Tally>, key: string, missed: boolean): void {
  const tally = tallies.get(key) ?? { total: 0, missed: 0 };
  tally.total += 1;
  if (missed) tally.missed += 1;
  tallies.set(key, tally);
}
function table(title: string, tallies: Map<string, Tally>, label: string): string {
  const rows = [...tallies.entries()].sort(
    (a, b) => b[1].missed / b[1].total - a[1].missed / a[1].total || a[0].localeCompare(b[0]),
  );
  return [
    title,
    ...rows.map(
      ([key, t]) =>
        `  ${key.padEnd(32)} ${String(t.total - t.missed).padStart(4)}/${String(t.total).padEnd(4)} ${label} ${(((t.total - t.missed) / t.total) * 100).toFixed(1)}%`,
    ),
  ].join('\n');
}

interface Results {
  secretLines: number;
  masked: number;
  ordinaryLines: number;
  changed: number;
  jsonLines: number;
  jsonBroken: string[];
  missing: number;
  kinesisRecords: number;
  kinesisLeaks: string[];
  report: string;
}

function measure(): Results {
  const baseline: Documents = new Map();
  const masked: Documents = new Map();
  subscriptionPayloads().forEach(({ payload }, i) => {
    for (const [id, source] of invokeForwarder(payload, NO_MASK, `baseline-${i}`)) baseline.set(id, source);
    for (const [id, source] of invokeForwarder(payload, EVERY_BUILTIN, `masked-${i}`)) masked.set(id, source);
  });

  const byClass = new Map<string, Tally>();
  const byForm = new Map<string, Tally>();
  const ordinaryByKind = new Map<string, Tally>();
  const missedExamples = new Map<string, string[]>();
  const changedExamples: string[] = [];
  const jsonBroken: string[] = [];
  let secretLines = 0;
  let maskedLines = 0;
  let ordinaryLines = 0;
  let changed = 0;
  let jsonLines = 0;
  let missing = 0;
  const unlabelled: string[] = [];
  corpus.forEach((line, n) => {
    const id = eventId(n);
    const before = baseline.get(id);
    const after = masked.get(id);
    if (!before || !after) {
      missing += 1;
      return;
    }
    const original = parseJson(line.line.trim().replace(/^\uFEFF/, ''));
    if (original !== undefined && typeof original === 'object') {
      jsonLines += 1;
      const message =
        typeof after.message === 'string'
          ? parseJson(after.message.trim().replace(/^\uFEFF/, ''))
          : undefined;
      const lost = message === undefined ? ['(message no longer JSON)'] : lostKeys(original, message);
      if ('json' in before && !('json' in after)) lost.push('(json fields dropped)');
      if (lost.length > 0)
        jsonBroken.push(
          `${line.class}/${line.form}: lost ${lost.slice(0, 3).join(', ')}: ${shortened(line.line, line.secrets)}`,
        );
    }
    if (line.secrets.length === 0) {
      ordinaryLines += 1;
      const differs = JSON.stringify(before) !== JSON.stringify(after);
      if (differs) {
        changed += 1;
        if (changedExamples.length < 40)
          changedExamples.push(`${line.class}/${line.form}: ${String(after.message).slice(0, 240)}`);
      }
      count(ordinaryByKind, line.class, differs);
      return;
    }
    // A label the baseline document does not hold would be a corpus mistake, not a mask's success.
    const beforeTexts = textsOf(before);
    const secrets = line.secrets.filter((secret) => leakedRun(secret, beforeTexts) !== undefined);
    for (const secret of line.secrets)
      if (!secrets.includes(secret)) unlabelled.push(`${line.class}/${line.form}: ${shorten(secret)}`);
    secretLines += 1;
    const afterTexts = textsOf(after);
    const leaks = secrets.map((secret) => leakedRun(secret, afterTexts)).filter((run) => run !== undefined);
    const missed = leaks.length > 0;
    if (!missed) maskedLines += 1;
    count(byClass, line.class, missed);
    count(byForm, line.form, missed);
    if (missed) {
      const examples = missedExamples.get(line.class) ?? [];
      examples.push(`[${line.form}] ${shortened(line.line, line.secrets)}  (kept "${leaks[0]}"…)`);
      missedExamples.set(line.class, examples);
    }
  });

  // The same secrets as fields of Fluent Bit records on Kinesis.
  const records = corpus
    .filter((line) => line.secrets.length > 0 && line.field)
    .map((line, n) => {
      const value = line.field!.value;
      const secrets =
        typeof value === 'number' ? [String(value)] : line.secrets.filter((secret) => value.includes(secret));
      const record = {
        log: `request ${n} handled`,
        stream: 'stdout',
        container_name: 'web',
        [line.field!.key]: value,
        ...EC2_METADATA,
      };
      return { line, secrets, data: fluentBitLine(record) };
    });
  const kinesisBaseline = invokeForwarder(
    kinesisEvent(records.map((r) => r.data)),
    NO_MASK,
    'kinesis-baseline',
  );
  const kinesisMasked = invokeForwarder(
    kinesisEvent(records.map((r) => r.data)),
    EVERY_BUILTIN,
    'kinesis-masked',
  );
  const kinesisLeaks: string[] = [];
  const kinesisByClass = new Map<string, Tally>();
  records.forEach(({ line, secrets, data }, n) => {
    const before = kinesisBaseline.get(documentId(n));
    const after = kinesisMasked.get(documentId(n));
    if (!before || !after) {
      missing += 1;
      return;
    }
    const held = secrets.filter((secret) => leakedRun(secret, textsOf(before)) !== undefined);
    const leaked = held.map((secret) => leakedRun(secret, textsOf(after))).filter((run) => run !== undefined);
    count(kinesisByClass, line.class, leaked.length > 0);
    if (leaked.length > 0) kinesisLeaks.push(`${line.class}: ${shortened(data.trim(), held)}`);
  });

  const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)}%`;
  const report = [
    `Blind corpus, every built-in mask ("*"), sls invoke local (${corpus.length} lines):`,
    `  secret lines fully masked: ${maskedLines}/${secretLines} = ${pct(maskedLines, secretLines)} (target >= ${RECALL_TARGET * 100}%)`,
    `  ordinary lines changed:    ${changed}/${ordinaryLines} = ${pct(changed, ordinaryLines)} (limit <= ${FALSE_POSITIVE_LIMIT * 100}%)`,
    `  JSON messages broken:      ${jsonBroken.length}/${jsonLines}`,
    `  Kinesis Fluent Bit records leaking a secret field: ${kinesisLeaks.length}/${records.length} (target 0)`,
    `  events with no document: ${missing}; secret labels absent from the baseline document: ${unlabelled.length} ${unlabelled.join('; ')}`,
    table('Secret lines by class (fully masked):', byClass, 'masked'),
    table('Secret lines by form (fully masked):', byForm, 'masked'),
    table('Ordinary lines by kind (unchanged):', ordinaryByKind, 'unchanged'),
    table('Kinesis records by class (no leak):', kinesisByClass, 'clean'),
    'Missed secret lines by class:',
    ...[...missedExamples.entries()].flatMap(([cls, examples]) => [
      `  ${cls} (${examples.length}):`,
      ...examples.slice(0, 4).map((e) => `    ${e}`),
    ]),
    'Ordinary lines changed:',
    ...changedExamples.map((e) => `  ${e}`),
    'JSON messages broken:',
    ...jsonBroken.slice(0, 20).map((e) => `  ${e}`),
    'Kinesis leaks:',
    ...kinesisLeaks.slice(0, 40).map((e) => `  ${e}`),
  ].join('\n');
  return {
    secretLines,
    masked: maskedLines,
    ordinaryLines,
    changed,
    jsonLines,
    jsonBroken,
    missing,
    kinesisRecords: records.length,
    kinesisLeaks,
    report,
  };
}

describe('blind masking corpus', () => {
  it('is the corpus the fixture says: enough secret and ordinary lines, every form', () => {
    expect(corpus.filter((l) => l.secrets.length > 0).length).toBeGreaterThanOrEqual(600);
    expect(corpus.filter((l) => l.secrets.length === 0).length).toBeGreaterThanOrEqual(600);
    expect(new Set(corpus.map((l) => l.form))).toEqual(
      new Set([
        'plain',
        'lambda',
        'json',
        'json-in-json',
        'json-python',
        'json-php',
        'lambda-json',
        'lambda-console-json',
      ]),
    );
  });
});

// First measurement (2026-12-06, Node 20, branch issue-24u at a685524): secret lines fully masked
// 617/704 = 87.6% (target >= 95%); ordinary lines changed 5/729 = 0.7%; JSON messages broken
// 1/787 (a card as a JSON number inside JSON-in-JSON); Fluent Bit records on Kinesis leaking a
// secret field 63/704. After the class fixes of issue 24 (branch issue-24r): 704/704, 0/729, 0/787,
// 0/704. The fixes were written against this corpus: it is no longer unseen, and holds them as a
// regression test. Set BLIND_REPORT=<file> to keep the report (numbers per class and per form).
describe('blind corpus through sls invoke local with every built-in mask', () => {
  it('masks the secrets, leaves ordinary lines and JSON as they were, on subscriptions and Kinesis', () => {
    const results = measure();
    console.log(results.report);
    if (process.env.BLIND_REPORT) writeFileSync(process.env.BLIND_REPORT, results.report + '\n');
    expect(results.missing).toBe(0);
    expect(results.masked / results.secretLines).toBeGreaterThanOrEqual(RECALL_TARGET);
    expect(results.changed / results.ordinaryLines).toBeLessThanOrEqual(FALSE_POSITIVE_LIMIT);
    expect(results.jsonBroken).toEqual([]);
    expect(results.kinesisLeaks).toEqual([]);
  }, 900_000);
});
