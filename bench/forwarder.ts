/**
 * Forwarder benchmark. On one 10,000-event subscription payload:
 * - decode+transform to the bytes of the request bodies: ours (richer parsing) vs the AWS
 *   console blueprint's transform;
 * - end to end to a loopback _bulk sink (own process): ours (the forwarder's handler module as
 *   deployed) vs posting each event
 *   vs one unbatched _bulk body without parsing (the blueprint);
 * - each function's bundle size and cold import time above a bare Node start.
 */
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { decodeSubscriptionEvent, type CloudWatchLogsData } from '../libs/decoding/subscription';
import { documentsFromLogsData } from '../libs/documents';
import { documentOptions, loadDocumentConfig } from '../libs/documents/config';
import { requestBody } from '../libs/destinations/body';
import { ElasticsearchTransport } from '../libs/destinations/elasticsearch';
import { encodedItem, type EncodedDocument } from '../libs/destinations/types';
import { noAuth } from '../libs/destinations/auth';
import { HttpClient } from '../libs/destinations/http';
import { deployedForwarder } from './support/deployed';
import { coldImportMs, compare, fmt, rate, startSink } from './support/measure';

const EVENTS = 10_000;
const BATCH = 500; // BATCH_MAX_DOCS default
// End to end shares 2 vCPUs with the sink process: single rounds of ~0.1 s swing by 20-30% with
// what else the machine runs, so the best of many alternating rounds is taken.
const E2E_ROUNDS = 25;

/** A realistic mix: Lambda console lines, JSON application logs, START/END/REPORT, plain text. */
/**
 * With `extractedFields`, console lines carry the fields a space-delimited filter pattern
 * extracts, as the console's "Lambda" log format preset does (as in test/fixtures/forwarder/lambda-console-lines.json).
 */
export function makePayload(count: number, extractedFields = false): { awslogs: { data: string } } {
  const requestId = '830e95c2-4983-4e72-99f1-1aa410a0ffb0';
  const start = Date.UTC(2024, 10, 20, 17, 0);
  const logEvents = Array.from({ length: count }, (_, i) => {
    const ts = start + i * 7;
    const iso = new Date(ts).toISOString();
    let message: string;
    switch (i % 10) {
      case 0:
        message = `START RequestId: ${requestId} Version: $LATEST\n`;
        break;
      case 1:
        message = `REPORT RequestId: ${requestId}\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 70 MB\t\n`;
        break;
      case 2:
      case 3:
      case 4:
        message = `{"level":"info","ts":"${iso}","msg":"request and response log","log":{"duration":${i * 1000},"request":{"method":"GET","path":"/v1/items/${i}"},"response":{"status":200}}}`;
        break;
      case 5:
        message = `{"logType":"ERROR","errorCode":"DA0001${i % 3}","errorMessage":"인증실패 for user ${i}"}`;
        break;
      case 9:
        message = `plain text line number ${i} with no structure at all\n`;
        break;
      default:
        message = `${iso}\t${requestId}\t${i % 7 === 0 ? 'ERROR' : 'INFO'}\tFetching incorrect lists for user ${i}...\n`;
    }
    const console = /^(\S+)\t(\S+)\t(.*)$/s.exec(message);
    return {
      id: `3862762795548481885276809816848983329890423124536${String(i).padStart(7, '0')}`,
      timestamp: ts,
      message,
      ...(extractedFields && console
        ? { extractedFields: { timestamp: console[1]!, request_id: console[2]!, event: console[3]! } }
        : {}),
    };
  });
  const data = {
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: '/aws/lambda/bench',
    logStream: '2024/11/20/[$LATEST]bb494dc82843496683c62052533a046f',
    subscriptionFilters: ['bench'],
    logEvents,
  };
  return { awslogs: { data: gzipSync(JSON.stringify(data)).toString('base64') } };
}

// --- The AWS console blueprint (LogsToElasticsearch), rewritten here as the baseline ---------
// It keeps the blueprint's operations and their cost: a message with a '{' is JSON.parse'd to
// validate it and again to use it, extracted fields are converted one by one, each event makes
// two Date objects, and the action and source are joined through arrays. It does less than ours:
// no Lambda line parsing, no levels, no REPORT numbers, a flat source.
function blueprintJson(text: string): string | null {
  const brace = text.indexOf('{');
  if (brace < 0) return null;
  const candidate = text.substring(brace);
  try {
    JSON.parse(candidate);
  } catch {
    return null;
  }
  return candidate;
}

function blueprintSource(message: string, extracted?: Record<string, string>): Record<string, unknown> {
  if (extracted) {
    const source: Record<string, unknown> = {};
    for (const key of Object.keys(extracted)) {
      const value = extracted[key];
      if (!value) continue;
      if (!Number.isNaN(Number(value)) && value.trim() !== '') {
        source[key] = Number(value);
        continue;
      }
      const json = blueprintJson(value);
      if (json !== null) source[`$${key}`] = JSON.parse(json);
      source[key] = value;
    }
    return source;
  }
  const json = blueprintJson(message);
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}

export function blueprintTransform(data: CloudWatchLogsData): string {
  let body = '';
  for (const event of data.logEvents) {
    const time = new Date(1 * event.timestamp);
    const index = [
      `cwl-${time.getUTCFullYear()}`,
      `0${time.getUTCMonth() + 1}`.slice(-2),
      `0${time.getUTCDate()}`.slice(-2),
    ].join('.');
    const source = blueprintSource(event.message, event.extractedFields);
    source['@id'] = event.id;
    source['@timestamp'] = new Date(1 * event.timestamp).toISOString();
    source['@message'] = event.message;
    source['@owner'] = data.owner;
    source['@log_group'] = data.logGroup;
    source['@log_stream'] = data.logStream;
    const action = { index: { _index: index, _type: data.logGroup, _id: event.id } };
    body += [JSON.stringify(action), JSON.stringify(source)].join('\n') + '\n';
  }
  return body;
}

async function decodeAndTransform(event: unknown) {
  const options = documentOptions(loadDocumentConfig({}));
  const transport = new ElasticsearchTransport(new URL('http://unused'), new HttpClient(1), noAuth, false);
  return compare(
    EVENTS,
    {
      // Both end with the bytes of the request body (uncompressed: gzip is measured end to end).
      // The blueprint's string becomes bytes when it is sent; the string alone is shown too.
      blueprint: () => Buffer.from(blueprintTransform(decodeSubscriptionEvent(event))),
      blueprintString: () => blueprintTransform(decodeSubscriptionEvent(event)),
      // As Delivery does it: each document encoded and sized by its upper bound, each batch
      // written into one request body Buffer.
      ours: () => {
        const bodies: Buffer[] = [];
        let batch: EncodedDocument[] = [];
        for (const doc of documentsFromLogsData(decodeSubscriptionEvent(event), options, () => {})) {
          const body = transport.encode(doc);
          batch.push(encodedItem(undefined, doc._id, body, body.length * 3));
          if (batch.length === BATCH) {
            bodies.push(requestBody(batch, false).body);
            batch = [];
          }
        }
        bodies.push(requestBody(batch, false).body);
        return bodies;
      },
    },
    15,
  );
}

async function endToEnd(event: unknown, url: string) {
  const gzipped = deployedForwarder({ DESTINATION_URL: url });
  const plain = deployedForwarder({ DESTINATION_URL: url, DESTINATION_GZIP: 'false' });
  const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bench' } as Context;
  const subscription = event as CloudWatchLogsEvent;
  const { ours, oursPlain, unbatched } = await compare(
    EVENTS,
    {
      ours: () => gzipped(subscription, context),
      oursPlain: () => plain(subscription, context),
      unbatched: async () => {
        const body = blueprintTransform(decodeSubscriptionEvent(event));
        const response = await fetch(`${url}/_bulk`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body,
        });
        JSON.parse(await response.text());
      },
    },
    E2E_ROUNDS,
  );

  // A forwarder that posts each event: one HTTP request per event. Measured on the first 2,000 events (it is slow).
  const sample = 2000;
  const perEvent = await rate(
    sample,
    async () => {
      const data = decodeSubscriptionEvent(event);
      for (const logEvent of data.logEvents.slice(0, sample)) {
        const doc = {
          logGroup: data.logGroup,
          eventId: logEvent.id,
          '@timestamp': new Date(logEvent.timestamp).toISOString(),
          message: logEvent.message,
        };
        const response = await fetch(`${url}/cwl/_doc`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(doc),
        });
        await response.text();
      }
    },
    2,
  );
  return { ours, oursPlain, unbatched, perEvent };
}

/** Bundles every function as serverless.yml does and measures size and cold import. */
async function bundles(): Promise<Array<{ name: string; bytes: number; coldMs: number }>> {
  const root = join(__dirname, '..');
  const out = mkdtempSync(join(tmpdir(), 'bundles-'));
  mkdirSync(join(out, 'node_modules'));
  symlinkSync(join(root, 'node_modules', '@aws-sdk'), join(out, 'node_modules', '@aws-sdk'));
  const names = readdirSync(join(root, 'functions')).filter((name) =>
    statSync(join(root, 'functions', name, 'handler.ts'), { throwIfNoEntry: false }),
  );
  const results = [];
  for (const name of names) {
    const outfile = join(out, `${name}.js`);
    await build({
      entryPoints: [join(root, 'functions', name, 'handler.ts')],
      outfile,
      bundle: true,
      minify: true,
      keepNames: true,
      treeShaking: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@aws-sdk/client-*', '@aws-sdk/credential-provider-node'],
      logLevel: 'error',
    });
    // The SDK v3 the Lambda runtime provides, found by require() and by import() alike (ES module
    // resolution ignores NODE_PATH): only the @aws-sdk scope, everything else must be in the bundle.
    const coldMs = coldImportMs(outfile, 15);
    results.push({ name, bytes: statSync(outfile).size, coldMs });
  }
  return results;
}

export async function run(): Promise<void> {
  const event = makePayload(EVENTS);
  console.log(`payload: ${fmt(EVENTS)} events, ${fmt(event.awslogs.data.length / 1024)} KiB base64`);

  console.log('\ndecode+transform (events/s)');
  const payloads: Array<[string, unknown]> = [
    ['empty filter pattern', event],
    ['extractedFields (console Lambda filter pattern)', makePayload(EVENTS, true)],
  ];
  for (const [label, payload] of payloads) {
    const transform = await decodeAndTransform(payload);
    console.log(`  ${label}`);
    console.log(`    blueprint (no parsing beyond JSON)  ${fmt(transform.blueprint).padStart(12)}`);
    console.log(`      its body as a string, not bytes   ${fmt(transform.blueprintString).padStart(12)}`);
    console.log(
      `    ours (lambda lines, JSON, levels)   ${fmt(transform.ours).padStart(12)}   ${fmt(transform.ours / transform.blueprint, 2)}x blueprint (target >= 1.2x); ${fmt(transform.ours / transform.blueprintString, 2)}x its string`,
    );
  }

  const sink = await startSink();
  try {
    const e2e = await endToEnd(event, sink.url);
    console.log('\nend to end to a loopback _bulk sink (events/s)');
    console.log(`  per-event POST                      ${fmt(e2e.perEvent).padStart(12)}`);
    console.log(`  one unbatched _bulk (blueprint)     ${fmt(e2e.unbatched).padStart(12)}`);
    const line = (label: string, rate: number) =>
      console.log(
        `  ${label.padEnd(35)} ${fmt(rate).padStart(12)}   ${fmt(rate / e2e.perEvent, 1)}x per-event (target >= 20x), ${fmt(rate / e2e.unbatched, 2)}x unbatched (target >= 1.5x)`,
      );
    line('ours (batched, gzip: the default)', e2e.ours);
    line('ours (DESTINATION_GZIP=false)', e2e.oursPlain);
  } finally {
    sink.stop();
  }

  console.log(
    '\nbundles (minified, SDK v3 clients from the runtime); cold import above bare node, median of 15',
  );
  for (const bundle of await bundles()) {
    console.log(
      `  ${bundle.name.padEnd(10)} ${fmt(bundle.bytes / 1024).padStart(6)} KiB   ${fmt(bundle.coldMs, 1).padStart(6)} ms   (target < 50 ms)`,
    );
  }
}
