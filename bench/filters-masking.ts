/**
 * Cost of the rules file's filters and masks on the forwarder's path: the same 10,000-event
 * subscription payload as `bench/forwarder.ts`, decoded, screened, built and encoded into request
 * body lines (DocumentStep.pushLogsData into an encoding sink), measured in alternation in one
 * process against the same path without filters or masks. No pattern matches the payload, so
 * every event pays every pattern and none is dropped (dropping would make the filtered path
 * look cheaper than it is).
 */
import { decodeSubscriptionEvent } from '../libs/forwarding/decoding/subscription';
import { noAuth } from '../libs/forwarding/destinations/auth';
import { ElasticsearchTransport } from '../libs/forwarding/destinations/elasticsearch';
import { HttpClient } from '../libs/forwarding/destinations/http';
import { documentOptions, loadDocumentConfig } from '../libs/forwarding/documents/config';
import type { DocumentSink } from '../libs/forwarding/documents/guard';
import { DocumentStep, newRuleCounts } from '../libs/forwarding/pipeline/document-step';
import { rulesFileFromText } from '../libs/forwarding/rules-file';
import { makePayload } from './forwarder';
import { makeCloudTrailPayload } from './support/cloudtrail-payload';
import { fmt } from './support/measure';

const EVENTS = 10_000;
const CLOUDTRAIL_EVENTS = 2_000;
// Many short rounds: best-of needs enough of them on a loaded 2-vCPU machine.
const ROUNDS = 41;
const GROUPS = ['/aws/lambda/*', 'aws-cloudtrail-logs-*'];

// Typical noise filters: plain substrings and prefixes (run as String.includes / startsWith).
const LITERAL_EXCLUDES = [
  'GET /health',
  '^DEBUG ',
  'kube-probe',
  'ELB-HealthChecker',
  'favicon\\.ico',
  '/metrics HTTP',
  '^TRACE ',
  'heartbeat ok',
  'readiness probe',
  'GET /ping',
];
// The same number of real regular expressions (run on re2js).
const REGEX_EXCLUDES = [
  'GET /health(z|check)? ',
  '^(DEBUG|TRACE)\\s',
  'kube-probe/\\d+\\.\\d+',
  'ELB-HealthChecker/\\d',
  '\\.(ico|png|css)\\b',
  '/metrics\\s+HTTP/\\d',
  'heartbeat\\s+(ok|sent)',
  '(?i)readiness\\s+probe',
  'GET /ping\\b',
  'status=(204|304) path=/',
];
const BUILTINS = ['email', 'ipv4', 'ipv6', 'aws-access-key-id', 'aws-secret', 'bearer', 'jwt', 'card'];

/**
 * Like support/measure.ts's compare (alternating rounds, best of each), but timed in the
 * process's CPU time (user + system), not wall time: on a shared 2-vCPU machine the other jobs'
 * time no longer lands in one variant's round and not the other's. A cost of a few percent is
 * visible only so.
 */
async function compareCpu<K extends string>(
  items: number,
  variants: Record<K, () => Promise<unknown>>,
  rounds: number,
): Promise<Record<K, number>> {
  const best = {} as Record<K, number>;
  const entries = Object.entries(variants) as Array<[K, () => Promise<unknown>]>;
  for (const [name, fn] of entries) {
    await fn();
    best[name] = 0;
  }
  for (let i = 0; i < rounds; i++) {
    for (const [name, fn] of entries) {
      const start = process.cpuUsage();
      await fn();
      const used = process.cpuUsage(start);
      best[name] = Math.max(best[name], items / ((used.user + used.system) / 1e6));
    }
  }
  return best;
}

function step(file: object): DocumentStep {
  const { rules, messages } = rulesFileFromText(JSON.stringify(file), 'bench');
  return new DocumentStep(documentOptions(loadDocumentConfig({})), { rules, messages });
}

export async function run(): Promise<void> {
  const event = makePayload(EVENTS);
  const transport = new ElasticsearchTransport(new URL('http://unused'), new HttpClient(1), noAuth, false);
  const steps = {
    plain: step({ rules: [] }),
    literalFilters: step({ filters: [{ name: 'noise', logGroups: GROUPS, exclude: LITERAL_EXCLUDES }] }),
    regexFilters: step({ filters: [{ name: 'noise', logGroups: GROUPS, exclude: REGEX_EXCLUDES }] }),
    masks: step({ masks: [{ name: 'pii', logGroups: GROUPS, builtins: BUILTINS }] }),
    everyBuiltin: step({ masks: [{ name: 'all', logGroups: GROUPS, builtins: ['*'] }] }),
  };
  const cloudTrail = makeCloudTrailPayload(CLOUDTRAIL_EVENTS);
  // A real trail's records hold addresses and access key ids: masked, counted, never dropped.
  const forwardTrail = (documents: DocumentStep) => async () => {
    let bytes = 0;
    const sink: DocumentSink = {
      push(doc) {
        bytes += transport.encode(doc).length;
        return undefined;
      },
      reject() {
        throw new Error('no CloudTrail record may be rejected');
      },
    };
    await documents.pushLogsData(decodeSubscriptionEvent(cloudTrail), sink, newRuleCounts());
    return bytes;
  };
  const forward = (documents: DocumentStep) => async () => {
    let bytes = 0;
    const sink: DocumentSink = {
      push(doc) {
        bytes += transport.encode(doc).length;
        return undefined;
      },
      reject() {},
    };
    const counts = newRuleCounts();
    await documents.pushLogsData(decodeSubscriptionEvent(event), sink, counts);
    if (counts.tally.dropped + counts.tally.masked > 0) throw new Error('the bench payload must not match');
    return bytes;
  };
  const rates = await compareCpu(
    EVENTS,
    {
      plain: forward(steps.plain),
      literalFilters: forward(steps.literalFilters),
      regexFilters: forward(steps.regexFilters),
      masks: forward(steps.masks),
      everyBuiltin: forward(steps.everyBuiltin),
    },
    ROUNDS,
  );
  const trail = await compareCpu(
    CLOUDTRAIL_EVENTS,
    { plain: forwardTrail(steps.plain), everyBuiltin: forwardTrail(steps.everyBuiltin) },
    ROUNDS,
  );
  const line = (name: string, rate: number, target: string) =>
    console.log(
      `${name.padEnd(44)} ${fmt(rate).padStart(9)} events/s  ${fmt(rate / rates.plain, 2)}x  cost ${fmt(
        (1 - rate / rates.plain) * 100,
        1,
      )}%  ${target}`,
    );
  console.log(
    `${EVENTS} events (bench/forwarder.ts payload), decode + screen + build + encode, CPU time, best of ${ROUNDS} alternating rounds:`,
  );
  line('no filters, no masks', rates.plain, '');
  line('10 exclude patterns (substrings, prefixes)', rates.literalFilters, 'target: cost < 10%');
  line('10 exclude patterns (regular expressions)', rates.regexFilters, 'target: cost < 10%');
  line('masks: the 8 built-ins of 2026-11', rates.masks, 'target: cost < 25%');
  line('masks: every built-in ("*")', rates.everyBuiltin, 'target: cost < 25%');
  console.log(
    `${CLOUDTRAIL_EVENTS} CloudTrail records (IAM, ARNs, nested JSON, policy documents in strings), same path and timing:`,
  );
  const trailLine = (name: string, rate: number, target: string) =>
    console.log(
      `${name.padEnd(44)} ${fmt(rate).padStart(9)} events/s  ${fmt(rate / trail.plain, 2)}x  cost ${fmt(
        (1 - rate / trail.plain) * 100,
        1,
      )}%  ${target}`,
    );
  trailLine('no masks', trail.plain, '');
  trailLine('masks: every built-in ("*")', trail.everyBuiltin, 'target: cost < 25%');
}
