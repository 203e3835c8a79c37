/**
 * Forwarder benchmark. On one 10,000-event subscription payload:
 * - decode+transform to the bytes of the request bodies: ours (richer parsing) vs the AWS
 *   console blueprint's transform;
 * - end to end to a loopback _bulk sink (own process), in CPU time per event: the forwarder as
 *   packaged vs the blueprint's one unbatched _bulk, on two mixes (bench/forwarder-cpu.ts);
 *   and vs posting each event;
 * - each function's bundle size and cold import time above a bare Node start.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSubscriptionEvent } from '../libs/forwarding/decoding/subscription';
import { documentsFromLogsData } from '../libs/forwarding/documents';
import { documentOptions, loadDocumentConfig } from '../libs/forwarding/documents/config';
import { requestBody } from '../libs/forwarding/destinations/body';
import { ElasticsearchTransport } from '../libs/forwarding/destinations/elasticsearch';
import { encodedItem, type EncodedDocument } from '../libs/forwarding/destinations/types';
import { noAuth } from '../libs/forwarding/destinations/auth';
import { HttpClient } from '../libs/forwarding/destinations/http';
import { cpuSection, phasesSection } from './forwarder-cpu';
import { blueprintTransform } from './support/blueprint';
import { coldImportMs, compare, fmt, rate, startSink } from './support/measure';
import { makePayload } from './support/mixes';
import { bundleDir, bundleFunction } from './support/packaged';

// The mix and the baseline, for the benches that import them from here.
export { blueprintTransform, makePayload };

const EVENTS = 10_000;
const BATCH = 500; // BATCH_MAX_DOCS default
// End to end: the median of alternating rounds, in CPU time of this process (the sink runs in
// its own). Wall time is shown beside it but swings 20-30% with what else the machine runs.

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

/** A forwarder that posts each event (one HTTP request per event), on the first 2,000 events. */
async function perEventPost(event: unknown, url: string): Promise<number> {
  const sample = 2000;
  return rate(
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
}

/** Bundles every function as serverless.yml does and measures size and cold import. */
async function bundles(): Promise<Array<{ name: string; bytes: number; coldMs: number }>> {
  const root = join(__dirname, '..');
  const out = bundleDir();
  const names = readdirSync(join(root, 'functions')).filter((name) =>
    statSync(join(root, 'functions', name, 'handler.ts'), { throwIfNoEntry: false }),
  );
  const results = [];
  for (const name of names) {
    const outfile = await bundleFunction(name, out);
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

  await phasesSection(await cpuSection());
  const sink = await startSink();
  try {
    console.log(
      `\n  per-event POST (one request per event, wall): ${fmt(await perEventPost(event, sink.url))} events/s`,
    );
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
