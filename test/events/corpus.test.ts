import type { KinesisStreamBatchResponse } from 'aws-lambda';
import corpus from '../fixtures/masking/corpus.json';
import { BulkServer } from '../support/bulk-server';
import { coldStart } from '../support/cold-start';
import { fluentBitLine, kinesisEvent } from '../support/kinesis';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { lambdaContext } from '../support/lambda';

/**
 * The labelled corpus (test/fixtures/masking: generate.ts writes corpus.json) through the
 * forwarder's handler as Lambda (and `sls invoke local`) runs it, with `"builtins": ["*"]`:
 * a secret line is masked when no run of 8 characters of its secret is left in its document;
 * an ordinary line must come out unchanged; a JSON message must keep its fields.
 */
interface Positive {
  kind: string;
  form: string;
  secret: string;
  line: string;
}
const positives = corpus.positives as Positive[];
const negatives = corpus.negatives as string[];
const context = lambdaContext({ awsRequestId: 'req-corpus', remainingMs: 60_000 });

/** True when no run of 8 characters of `secret` (all of it, when shorter) is in `text`. */
function keepsNoRun(text: string, secret: string): boolean {
  const run = Math.min(8, secret.length);
  for (let i = 0; i + run <= secret.length; i++) if (text.includes(secret.slice(i, i + run))) return false;
  return true;
}

/** Everything the document shows, escapes read (a secret in a JSON string is found too). */
const shown = (source: unknown) => {
  const text = JSON.stringify(source);
  return `${text}\n${text.replaceAll('\\\\', '\\').replaceAll('\\"', '"').replaceAll('\\/', '/')}`;
};

describe('the masking corpus with every built-in on', () => {
  const saved = { ...process.env };
  let server: BulkServer;
  beforeAll(async () => {
    server = await new BulkServer().start();
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterAll(async () => {
    process.env = { ...saved };
    jest.restoreAllMocks();
    await server.stop();
  });

  const handler = () =>
    coldStart('forwarder', { DESTINATION_URL: server.url, RULES_FILE: 'test/fixtures/masking/rules.json' });

  it('subscription path: >= 95% of secret lines keep no 8-character run; <= 1% of ordinary lines change; JSON stays JSON', async () => {
    const forward = handler();
    const data = logsData(positives.map((p) => ({ message: p.line })));
    const ordinary = logsData(negatives.map((message, i) => ({ message, id: eventId(i, 777) })));
    await forward(subscriptionEvent(data), context);
    await forward(subscriptionEvent(ordinary), context);
    const leaks: string[] = [];
    positives.forEach((positive, i) => {
      const doc = server.documents.get(data.logEvents[i]!.id);
      expect(doc).toBeDefined();
      if (!keepsNoRun(shown(doc!.source), positive.secret))
        leaks.push(`${positive.kind} (${positive.form}): ${positive.line}`);
      // A JSON message keeps its fields.
      if (positive.form.startsWith('json') || positive.form === 'escaped')
        expect(doc!.source.json).toBeDefined();
    });
    const recall = 1 - leaks.length / positives.length;
    const changed = negatives.filter(
      (line, i) => server.documents.get(ordinary.logEvents[i]!.id)!.source.message !== line,
    );
    const falsePositives = changed.length / negatives.length;
    // On failure, the lines that leaked or changed are in the message.
    if (recall < 0.95) expect(leaks).toEqual([]);
    if (falsePositives > 0.01) expect(changed).toEqual([]);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(falsePositives).toBeLessThanOrEqual(0.01);
  });

  it('Kinesis: the same secrets as fields of Fluent Bit records, and as their log lines, reach no document', async () => {
    const forward = handler();
    const secrets = positives.filter((p) => p.form === 'plain');
    const records = secrets.map(
      (p, i) =>
        fluentBitLine({ log: 'request failed', password: p.secret, kubernetes: { pod_name: `web-${i}` } }) +
        fluentBitLine({ log: p.line, stream: 'stderr' }),
    );
    const before = server.documents.size;
    const response = (await forward(kinesisEvent(records), context)) as KinesisStreamBatchResponse;
    expect(response.batchItemFailures).toEqual([]);
    const docs = [...server.documents.values()].slice(before).map((doc) => shown(doc.source));
    expect(docs).toHaveLength(secrets.length * 2);
    const leaked = secrets.filter((p) => docs.some((doc) => !keepsNoRun(doc, p.secret)));
    expect(leaked.map((p) => `${p.kind}: ${p.line}`)).toEqual([]);
  });
});
