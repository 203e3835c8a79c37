/**
 * CPU per event, end to end: the forwarder as packaged against the AWS console blueprint, on the
 * Lambda mix and on JSON application logs (`npm run bench -- forwarder-cpu` alone; `forwarder`
 * runs it too, and `cost` takes its CPU-seconds per GiB).
 */
import type { CloudWatchLogsEvent, Context } from 'aws-lambda';
import { decodeSubscriptionEvent } from '../libs/forwarding/decoding/subscription';
import { documentsFromLogsData } from '../libs/forwarding/documents';
import { documentOptions, loadDocumentConfig } from '../libs/forwarding/documents/config';
import { noAuth } from '../libs/forwarding/destinations/auth';
import { requestBody } from '../libs/forwarding/destinations/body';
import { ElasticsearchTransport } from '../libs/forwarding/destinations/elasticsearch';
import { HttpClient } from '../libs/forwarding/destinations/http';
import { encodedItem, type EncodedDocument } from '../libs/forwarding/destinations/types';
import { blueprintTransform } from './support/blueprint';
import { compareCpu, type CpuRound } from './support/cpu';
import { fmt, startSink } from './support/measure';
import { makeJsonPayload, makePayload } from './support/mixes';
import { bundleDir, bundleFunction, packagedForwarder } from './support/packaged';

const EVENTS = 10_000;
// The median of alternating rounds, in CPU time of this process (the sink runs in its own).
const CPU_ROUNDS = 15;
const BATCH_DOCS = 500; // BATCH_MAX_DOCS default

/** Bytes of log text in a payload: its messages in UTF-8, what CloudWatch Logs bills as ingested. */
export function logTextBytes(event: unknown): number {
  let bytes = 0;
  for (const logEvent of decodeSubscriptionEvent(event).logEvents)
    bytes += Buffer.byteLength(logEvent.message);
  return bytes;
}

/** What one variant cost per event: CPU of this process and wall time, median of alternating rounds. */
export interface CpuPerEvent {
  cpuUsPerEvent: number;
  wallUsPerEvent: number;
  /** The system (kernel) part of the CPU time. */
  systemUsPerEvent: number;
  /** CPU-seconds per GiB of log text. */
  cpuSecondsPerGiB: number;
}

export interface ForwarderCpu {
  mix: string;
  events: number;
  logBytes: number;
  ours: CpuPerEvent;
  oursPlain: CpuPerEvent;
  blueprint: CpuPerEvent;
}

/**
 * The packaged forwarder (esbuild bundle as `sls package` builds it, default configuration: every
 * built-in parser on, gzip on) against the blueprint's transform and its one unbatched `_bulk`
 * delivery, both in this process, into the loopback sink (its own process, not counted).
 */
export async function forwarderCpu(
  mixes: Array<[string, unknown]>,
  url: string,
  rounds = CPU_ROUNDS,
): Promise<ForwarderCpu[]> {
  const bundle = await bundleFunction('forwarder', bundleDir());
  const env = { DESTINATION_URL: url, DEAD_LETTER_BUCKET: 'bench-dead-letters' };
  const gzipped = packagedForwarder(bundle, env);
  const plain = packagedForwarder(bundle, { ...env, DESTINATION_GZIP: 'false' });
  const context = { getRemainingTimeInMillis: () => 60000, awsRequestId: 'bench' } as Context;
  const results: ForwarderCpu[] = [];
  for (const [mix, event] of mixes) {
    const subscription = event as CloudWatchLogsEvent;
    const events = decodeSubscriptionEvent(event).logEvents.length;
    const logBytes = logTextBytes(event);
    const rounds_ = await compareCpu(
      {
        ours: () => gzipped(subscription, context),
        oursPlain: () => plain(subscription, context),
        blueprint: async () => {
          const body = blueprintTransform(decodeSubscriptionEvent(event));
          const response = await fetch(`${url}/_bulk`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-ndjson' },
            body,
          });
          JSON.parse(await response.text());
        },
      },
      rounds,
    );
    const per = (round: CpuRound): CpuPerEvent => ({
      cpuUsPerEvent: (round.cpuMs * 1000) / events,
      wallUsPerEvent: (round.wallMs * 1000) / events,
      systemUsPerEvent: (round.systemMs * 1000) / events,
      cpuSecondsPerGiB: round.cpuMs / 1000 / (logBytes / 2 ** 30),
    });
    results.push({
      mix,
      events,
      logBytes,
      ours: per(rounds_.ours),
      oursPlain: per(rounds_.oursPlain),
      blueprint: per(rounds_.blueprint),
    });
  }
  return results;
}

function printCpu(result: ForwarderCpu): void {
  const { blueprint } = result;
  console.log(
    `\n  ${result.mix}: ${fmt(result.events)} events, ${fmt(result.logBytes / 1024)} KiB of log text (${fmt(result.logBytes / result.events)} B/event)`,
  );
  console.log(
    '    variant                        CPU us/event (kernel)   CPU-s/GiB   wall us/event   CPU: blueprint/ours   wall: blueprint/ours',
  );
  const line = (label: string, v: CpuPerEvent) =>
    console.log(
      `    ${label.padEnd(30)} ${fmt(v.cpuUsPerEvent, 2).padStart(12)} ${`(${fmt(v.systemUsPerEvent, 2)})`.padStart(10)} ${fmt(v.cpuSecondsPerGiB, 1).padStart(11)} ${fmt(v.wallUsPerEvent, 2).padStart(15)}   ${
        v === blueprint ? '' : `${fmt(blueprint.cpuUsPerEvent / v.cpuUsPerEvent, 2)}x`.padStart(19)
      }   ${v === blueprint ? '' : `${fmt(blueprint.wallUsPerEvent / v.wallUsPerEvent, 2)}x`.padStart(20)}`,
    );
  line('blueprint (one _bulk)', blueprint);
  line('ours (gzip: the default)', result.ours);
  line('ours (DESTINATION_GZIP=false)', result.oursPlain);
}

/** The two mixes of 10,000 events each. */
export function benchMixes(): Array<[string, unknown]> {
  return [
    ['Lambda mix', makePayload(EVENTS)],
    ['JSON application logs', makeJsonPayload(EVENTS)],
  ];
}

/** Runs and prints the CPU comparison into a fresh loopback sink; returns the numbers. */
export async function cpuSection(): Promise<ForwarderCpu[]> {
  const sink = await startSink();
  try {
    console.log(
      `\nend to end to a loopback _bulk sink (own process), the forwarder as packaged (esbuild bundle, defaults)\nvs the blueprint's transform and one unbatched _bulk in this process; median of ${CPU_ROUNDS} alternating rounds`,
    );
    const results = await forwarderCpu(benchMixes(), sink.url);
    for (const result of results) printCpu(result);
    return results;
  } finally {
    sink.stop();
  }
}

/**
 * Where the CPU goes, step by step: each step runs everything before it too, so the difference
 * between two lines is the cost of one step (the same library code, in process, no HTTP). The
 * last line of each side is the whole, from the comparison above.
 */
export async function phasesSection(results: ForwarderCpu[]): Promise<void> {
  const options = documentOptions(loadDocumentConfig({}));
  const transport = new ElasticsearchTransport(new URL('http://unused'), new HttpClient(1), noAuth, false);
  const bodies = (event: unknown, stop: 'documents' | 'encode' | 'write' | 'gzip') => {
    let batch: EncodedDocument[] = [];
    const flush = () => {
      if (stop === 'write' || stop === 'gzip') requestBody(batch, stop === 'gzip');
      batch = [];
    };
    for (const doc of documentsFromLogsData(decodeSubscriptionEvent(event), options, () => {})) {
      if (stop === 'documents') continue;
      const body = transport.encode(doc);
      batch.push(encodedItem(undefined, doc._id, body, body.length * 3));
      if (batch.length === BATCH_DOCS) flush();
    }
    flush();
  };
  console.log(
    `\nwhere the CPU goes (us per event, median of ${CPU_ROUNDS} alternating rounds; each line includes the ones above it)`,
  );
  for (const [index, [mix, event]] of benchMixes().entries()) {
    const steps = await compareCpu(
      {
        decode: () => decodeSubscriptionEvent(event),
        documents: () => bodies(event, 'documents'),
        encode: () => bodies(event, 'encode'),
        write: () => bodies(event, 'write'),
        gzip: () => bodies(event, 'gzip'),
        blueprintString: () => blueprintTransform(decodeSubscriptionEvent(event)),
        blueprintBytes: () => Buffer.from(blueprintTransform(decodeSubscriptionEvent(event))),
      },
      CPU_ROUNDS,
    );
    const us = (round: CpuRound) => (round.cpuMs * 1000) / EVENTS;
    const whole = results[index];
    const rows: Array<[string, number | undefined]> = [
      ['decode (base64, gunzip, JSON.parse)', us(steps.decode)],
      ['+ documents (Lambda lines, JSON, levels)', us(steps.documents)],
      ['+ encode (action and source JSON)', us(steps.encode)],
      ['+ request bodies (UTF-8 bytes)', us(steps.write)],
      ['+ gzip (level 1)', us(steps.gzip)],
      ['= the packaged handler, with HTTP', whole?.ours.cpuUsPerEvent],
      ['blueprint: decode + transform to a string', us(steps.blueprintString)],
      ['+ the string as bytes', us(steps.blueprintBytes)],
      ['= with its one _bulk (fetch)', whole?.blueprint.cpuUsPerEvent],
    ];
    console.log(`  ${mix}`);
    for (const [label, value] of rows)
      if (value !== undefined) console.log(`    ${label.padEnd(44)} ${fmt(value, 2).padStart(7)}`);
  }
}

export async function run(): Promise<void> {
  await phasesSection(await cpuSection());
}
