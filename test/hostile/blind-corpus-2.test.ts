/**
 * The second blind masking corpus (issue 24, "Done when"): test/fixtures/masking-blind-2, written
 * by an outside tester who never read the masks. The corpus goes through the forwarder exactly as
 * a developer runs it, `sls invoke local -f forwarder -p <payload>`, as CloudWatch Logs
 * subscription payloads and as Fluent Bit records on Kinesis, with every built-in on for every
 * log group; the documents printed on stdout (no DESTINATION_URL) are what would be indexed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildCorpus } from '../fixtures/masking-blind-2/generate';
import { fluentBitLine, kinesisEvent, sequenceNumber } from '../support/kinesis';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';

interface Row {
  line: string;
  secrets: string[];
  classes: string[];
  form: string;
  source: string;
  shape: string;
}

interface Document {
  _id: string;
  _source: Record<string, unknown> & { message?: string; json?: unknown };
}

const root = join(__dirname, '..', '..');
const corpusFile = join(root, 'test', 'fixtures', 'masking-blind-2', 'corpus.jsonl');
const rows: Row[] = readFileSync(corpusFile, 'utf8')
  .trim()
  .split('\n')
  .map((text) => JSON.parse(text) as Row);

/** A secret leaks when any run of 8 of its characters (all of it if shorter) is still there. */
const RUN = 8;
const RECALL_TARGET = 0.95;
const CHANGED_LIMIT = 0.01;
const EVENTS_PER_PAYLOAD = 300;
const REPORT_FILE = join(tmpdir(), 'blind-corpus-2-report.txt');

function leaks(secret: string, haystacks: string[]): boolean {
  const size = Math.min(RUN, secret.length);
  for (let at = 0; at + size <= secret.length; at++) {
    const run = secret.slice(at, at + size);
    if (haystacks.some((text) => text.includes(run))) return true;
  }
  return false;
}

/** Every key and string (or number) in a document, also as escapes and line breaks undone. */
function haystacksOf(value: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (typeof node === 'string' || typeof node === 'number') out.push(String(node));
    else if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object')
      for (const [key, child] of Object.entries(node)) {
        out.push(key);
        walk(child);
      }
  };
  walk(value);
  return out.flatMap((text) => [text, text.replace(/\\\//g, '/').replace(/\\r|\\n|\r|\n/g, '')]);
}

/** The JSON a line holds once leading whitespace and a BOM are set aside, or undefined. */
function jsonOf(text: string): unknown {
  const trimmed = text.replace(/^[\s\ufeff]+/, '');
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => keyPaths(item, `${prefix}[${i}]`));
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([key, child]) => [
    `${prefix}.${key}`,
    ...keyPaths(child, `${prefix}.${key}`),
  ]);
}

/** Paths of the values that are neither objects nor arrays. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, `${prefix}[${i}]`));
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value).flatMap(([key, child]) => leafPaths(child, `${prefix}.${key}`));
}

/**
 * Why a masked JSON message lost fields of the original, or undefined when it kept them all. A
 * value replaced whole (an object under a key named like a secret, as the issue asks) keeps its
 * key: its sub-keys are not counted as lost, but they are reported apart.
 */
function keysLost(original: unknown, masked: unknown): string | undefined {
  const kept = new Set(keyPaths(masked));
  const replacedWhole = leafPaths(masked);
  const before = keyPaths(original);
  const added = [...kept].filter((path) => !before.includes(path));
  const lost = before.filter(
    (path) =>
      !kept.has(path) && !replacedWhole.some((q) => path.startsWith(q + '.') || path.startsWith(q + '[')),
  );
  if (lost.length > 0) return `keys lost: ${lost.slice(0, 3).join(' ')}`;
  if (added.length > 0) return `keys added: ${added.slice(0, 3).join(' ')}`;
  return undefined;
}

/** `sls invoke local` on one payload file: the documents it printed and its own log lines. */
function invokeForwarder(
  payloadFile: string,
  rulesFile: string,
): { documents: Document[]; ownLines: string } {
  const result = spawnSync(
    join(root, 'node_modules', '.bin', 'sls'),
    ['invoke', 'local', '-f', 'forwarder', '-p', payloadFile, '-e', `RULES_FILE=${rulesFile}`],
    {
      cwd: root,
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 240_000,
    },
  );
  if (result.status !== 0) throw new Error(`sls invoke local failed (${result.status}): ${result.stderr}`);
  const documents: Document[] = [];
  const own: string[] = [];
  for (const text of result.stdout.split('\n')) {
    if (text.startsWith('{"_id"')) documents.push(JSON.parse(text) as Document);
    else own.push(text);
  }
  return { documents, ownLines: own.join('\n') + result.stderr };
}

/** A field name a Fluent Bit record (an app's structured log) would give each class of secret. */
const FLUENT_BIT_FIELD: Record<string, string> = {
  'password-field': 'password',
  'token-field': 'api_token',
  'query-string': 'access_token',
  'form-body': 'password',
  bearer: 'authorization',
  'basic-auth': 'authorization',
  'api-key-header': 'x_api_key',
  cookie: 'cookie',
  'url-password': 'db_password',
  jdbc: 'jdbc_password',
  'connection-string': 'connectionString',
  azure: 'AccountKey',
  'aws-access-key': 'aws_access_key_id',
  'aws-secret-key': 'aws_secret_access_key',
  'aws-session-token': 'aws_session_token',
  'private-key': 'private_key',
  jwt: 'id_token',
  card: 'card_number',
  email: 'email',
  ip: 'client_ip',
};

const fieldFor = (cls: string) => FLUENT_BIT_FIELD[cls] ?? (cls.startsWith('vendor-') ? 'token' : 'secret');

const short = (text: string) => (text.length > 14 ? `${text.slice(0, 6)}…${text.slice(-4)}` : text);
const shortLine = (line: string, secrets: string[]) =>
  secrets
    .reduce((text, s) => text.split(s).join(short(s)), line)
    .replace(/\n/g, '⏎')
    .slice(0, 220);

const pct = (part: number, whole: number) => (whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`);

interface Measurement {
  secretLines: number;
  cleanSecretLines: number;
  ordinaryLines: number;
  changedOrdinary: Array<{ row: Row; message: string }>;
  jsonLines: number;
  jsonBroken: Array<{ row: Row; why: string }>;
  missingDocuments: Row[];
  missedByClass: Map<string, Array<{ row: Row; secret: string; message: string }>>;
  perClass: Map<string, { total: number; clean: number }>;
  perForm: Map<string, { total: number; clean: number }>;
  ownLinesLeaking: string[];
  kinesisRecords: number;
  kinesisLeaks: Array<{ cls: string; secret: string }>;
  kinesisWithLineLeaks: Array<{ cls: string; secret: string }>;
}

let dir = '';
let measurement: Measurement;

/** Runs the corpus through the forwarder and measures what came out. */
function measure(): Measurement {
  dir = mkdtempSync(join(tmpdir(), 'blind-corpus-2-'));
  const rulesFile = join(dir, 'rules.json');
  writeFileSync(
    rulesFile,
    JSON.stringify({ masks: [{ name: 'every-builtin', logGroups: ['*'], builtins: ['*'] }] }),
  );

  // Subscription payloads: Lambda console lines from a Lambda function's group, the rest from a container's.
  const byId = new Map<string, Row>();
  const documents: Document[] = [];
  let ownLines = '';
  for (let start = 0, payload = 0; start < rows.length; start += EVENTS_PER_PAYLOAD, payload++) {
    const chunk = rows.slice(start, start + EVENTS_PER_PAYLOAD);
    const seed = 1000000000 + payload;
    chunk.forEach((row, i) => byId.set(eventId(i, seed), row));
    const data = logsData(
      chunk.map((row, i) => ({ id: eventId(i, seed), message: row.line })),
      { logGroup: payload % 2 === 0 ? '/aws/lambda/orders-api' : '/ecs/web' },
    );
    const file = join(dir, `subscription-${payload}.json`);
    writeFileSync(file, JSON.stringify(subscriptionEvent(data)));
    const result = invokeForwarder(file, rulesFile);
    documents.push(...result.documents);
    ownLines += result.ownLines;
  }
  const docById = new Map(documents.map((doc) => [doc._id, doc]));

  const m: Measurement = {
    secretLines: 0,
    cleanSecretLines: 0,
    ordinaryLines: 0,
    changedOrdinary: [],
    jsonLines: 0,
    jsonBroken: [],
    missingDocuments: [],
    missedByClass: new Map(),
    perClass: new Map(),
    perForm: new Map(),
    ownLinesLeaking: [],
    kinesisRecords: 0,
    kinesisLeaks: [],
    kinesisWithLineLeaks: [],
  };
  const tally = (map: Map<string, { total: number; clean: number }>, key: string, clean: boolean) => {
    const entry = map.get(key) ?? { total: 0, clean: 0 };
    entry.total++;
    if (clean) entry.clean++;
    map.set(key, entry);
  };

  for (const [id, row] of byId) {
    const doc = docById.get(id);
    if (doc === undefined) {
      m.missingDocuments.push(row);
      continue;
    }
    const message = doc._source.message ?? '';
    const original = jsonOf(row.line);
    if (original !== undefined && typeof original === 'object' && original !== null) {
      m.jsonLines++;
      const masked = jsonOf(message);
      if (masked === undefined) m.jsonBroken.push({ row, why: 'message no longer JSON' });
      else {
        const why = keysLost(original, masked);
        if (why !== undefined) m.jsonBroken.push({ row, why });
      }
      if (masked !== undefined && doc._source.json === undefined)
        m.jsonBroken.push({ row, why: 'no json field' });
    }
    if (row.secrets.length === 0) {
      m.ordinaryLines++;
      if (message.trimEnd() !== row.line.trimEnd()) m.changedOrdinary.push({ row, message });
      continue;
    }
    m.secretLines++;
    const haystacks = haystacksOf(doc._source);
    let lineClean = true;
    row.secrets.forEach((secret, i) => {
      const cls = row.classes[i] ?? 'unlabelled';
      const leaked = leaks(secret, haystacks);
      tally(m.perClass, cls, !leaked);
      if (leaked) {
        lineClean = false;
        const list = m.missedByClass.get(cls) ?? [];
        list.push({ row, secret, message });
        m.missedByClass.set(cls, list);
      }
    });
    if (lineClean) m.cleanSecretLines++;
    tally(m.perForm, row.form, lineClean);
  }
  const secretsAll = rows.flatMap((row) => row.secrets);
  m.ownLinesLeaking = secretsAll.filter((secret) => secret.length >= RUN && leaks(secret, [ownLines]));

  // The same secrets as fields of Fluent Bit records (an app's JSON log lines shipped to Kinesis):
  // asserted with a neutral `log`; measured too with the original line as `log`.
  m.kinesisLeaks = kinesisLeaks(rulesFile, () => 'request handled');
  m.kinesisWithLineLeaks = kinesisLeaks(rulesFile, (row) => row.line);
  m.kinesisRecords = rows.reduce((sum, row) => sum + row.secrets.length, 0);
  return m;
}

/** Secrets (with their class) that reach a Kinesis document, one Fluent Bit record per secret. */
function kinesisLeaks(
  rulesFile: string,
  logOf: (row: Row) => string,
): Array<{ cls: string; secret: string }> {
  const records: Array<{ cls: string; secret: string }> = [];
  const lines: string[] = [];
  for (const row of rows)
    row.secrets.forEach((secret, i) => {
      const cls = row.classes[i] ?? 'unlabelled';
      records.push({ cls, secret });
      lines.push(
        fluentBitLine({
          log: logOf(row),
          stream: 'stdout',
          time: '2026-11-21T10:22:01.331Z',
          [fieldFor(cls)]: secret,
          kubernetes: {
            namespace_name: 'prod',
            pod_name: 'orders-api-7d9c8b6f5-x2x9q',
            container_name: 'api',
          },
        }),
      );
    });
  const file = join(dir, 'kinesis.json');
  writeFileSync(file, JSON.stringify(kinesisEvent(lines)));
  const documents = new Map<string, Document[]>();
  for (const doc of invokeForwarder(file, rulesFile).documents) {
    const sequence = doc._id.split('-')[2] ?? '';
    documents.set(sequence, [...(documents.get(sequence) ?? []), doc]);
  }
  return records.filter((record, n) => {
    const docs = documents.get(sequenceNumber(n)) ?? [];
    return (
      docs.length === 0 ||
      leaks(
        record.secret,
        docs.flatMap((doc) => haystacksOf(doc._source)),
      )
    );
  });
}

function report(m: Measurement): void {
  const out: string[] = [];
  out.push(
    `blind corpus 2: secret lines clean ${m.cleanSecretLines}/${m.secretLines} = ${pct(m.cleanSecretLines, m.secretLines)} (target >= ${RECALL_TARGET * 100}%)`,
    `ordinary lines changed ${m.changedOrdinary.length}/${m.ordinaryLines} = ${pct(m.changedOrdinary.length, m.ordinaryLines)} (limit <= ${CHANGED_LIMIT * 100}%)`,
    `JSON lines broken ${m.jsonBroken.length}/${m.jsonLines}; events with no document ${m.missingDocuments.length}`,
    `Fluent Bit records on Kinesis leaking (or missing) ${m.kinesisLeaks.length}/${m.kinesisRecords}; with the original line as log ${m.kinesisWithLineLeaks.length}/${m.kinesisRecords}`,
    `secrets found in the forwarder's own log lines: ${m.ownLinesLeaking.length}`,
    'per class (secrets clean / total):',
    ...[...m.perClass].sort().map(([cls, t]) => `  ${cls}: ${t.clean}/${t.total} = ${pct(t.clean, t.total)}`),
    'per form (secret lines clean / total):',
    ...[...m.perForm]
      .sort()
      .map(([form, t]) => `  ${form}: ${t.clean}/${t.total} = ${pct(t.clean, t.total)}`),
  );
  const byClass = (leaks: Array<{ cls: string }>) => {
    const counts = new Map<string, number>();
    for (const leak of leaks) counts.set(leak.cls, (counts.get(leak.cls) ?? 0) + 1);
    return JSON.stringify(Object.fromEntries([...counts].sort()));
  };
  out.push(`Kinesis leaks by class: ${byClass(m.kinesisLeaks)}`);
  out.push(`Kinesis leaks by class, original line as log: ${byClass(m.kinesisWithLineLeaks)}`);
  out.push('missed, by class (secrets shortened):');
  for (const [cls, misses] of [...m.missedByClass].sort())
    out.push(
      `  ${cls}: ${misses.length} (shapes: ${[...new Set(misses.map((miss) => miss.row.shape))].join(', ')})`,
    );
  out.push(
    `ordinary lines changed, by shape: ${byClass(m.changedOrdinary.map(({ row }) => ({ cls: row.shape })))}`,
  );
  process.stdout.write(out.join('\n') + '\n');
  out.push('missed lines:');
  for (const [cls, misses] of [...m.missedByClass].sort()) {
    const shapes = [...new Set(misses.map((miss) => miss.row.shape))].join(', ');
    out.push(`  ${cls}: ${misses.length} missed (shapes: ${shapes})`);
    for (const miss of misses)
      out.push(
        `    in:  ${shortLine(miss.row.line, miss.row.secrets)}`,
        `    out: ${shortLine(miss.message, miss.row.secrets)}`,
      );
  }
  out.push('ordinary lines changed:');
  for (const { row, message } of m.changedOrdinary)
    out.push(
      `  [${row.shape}] in:  ${shortLine(row.line, [])}`,
      `  [${row.shape}] out: ${shortLine(message, [])}`,
    );
  out.push('JSON lines broken:');
  for (const { row, why } of m.jsonBroken)
    out.push(`  [${row.shape}] ${why}: ${shortLine(row.line, row.secrets)}`);
  out.push(`own log lines leaking: ${m.ownLinesLeaking.slice(0, 5).map(short).join(', ')}`);
  writeFileSync(REPORT_FILE, out.join('\n') + '\n');
  process.stdout.write(`every missed line, in and out: ${REPORT_FILE}\n`);
}

it('the corpus file is what its generator writes (fixed seed)', () => {
  expect(readFileSync(corpusFile, 'utf8')).toBe(buildCorpus().join('\n') + '\n');
});

it('holds at least 500 secret lines and 500 ordinary lines', () => {
  expect(rows.filter((row) => row.secrets.length > 0).length).toBeGreaterThanOrEqual(500);
  expect(rows.filter((row) => row.secrets.length === 0).length).toBeGreaterThanOrEqual(500);
});

// Measured on 2026-12-06. Before the masking merge: secret lines clean 546/600 = 91.0%, ordinary
// lines changed 23/600 = 3.8%, 4/301 JSON lines lose their `json` fields (a BOM before the JSON),
// 6/672 Fluent Bit fields reach a document. After it (main bf7c905): clean 593/600 = 98.8% (met;
// missed: keys spelled `..._PASS`/`smtp_pass`, a plain-text value cut at `&`), changed 23/600 =
// 3.8% (`Version=13.0.0.0` masked as IPv4, `PublicKeyToken=<hex>` and `Secrets: 7` masked by
// key), the same 4 BOM lines without `json`, 0/672 Fluent Bit fields leak.
// Then the two ordinary shapes (.NET assembly names, 18 lines) and the BOM were fixed: clean
// 593/600 = 98.8% (measured blind, before any fix against this corpus), changed 5/600 = 0.83%
// (`Secrets: 7`), every JSON message keeps its fields, 0/672 leak: every target met, so it runs.
// Every missed line, in and out, is written to REPORT_FILE on each run.
describe('with every built-in on, through sls invoke local', () => {
  beforeAll(() => {
    measurement = measure();
    report(measurement);
  }, 900_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('delivers a document for every event', () => {
    expect(measurement.missingDocuments.map((row) => row.shape)).toEqual([]);
  });

  it(`keeps no run of ${RUN} characters of any secret in at least 95% of secret lines`, () => {
    expect(measurement.cleanSecretLines / measurement.secretLines).toBeGreaterThanOrEqual(RECALL_TARGET);
  });

  it('changes at most 1% of ordinary lines', () => {
    expect(measurement.changedOrdinary.length / measurement.ordinaryLines).toBeLessThanOrEqual(CHANGED_LIMIT);
  });

  it('keeps every JSON message JSON with its fields', () => {
    expect(measurement.jsonBroken.map(({ row, why }) => `${row.shape}: ${why}`)).toEqual([]);
  });

  it('lets none of the same secrets, as fields of Fluent Bit records on Kinesis, reach a document', () => {
    expect(measurement.kinesisLeaks.map((leak) => leak.cls)).toEqual([]);
  });

  it("writes none of the secrets in the forwarder's own log lines", () => {
    expect(measurement.ownLinesLeaking.map(short)).toEqual([]);
  });
});
