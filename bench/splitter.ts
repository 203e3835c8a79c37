/**
 * Splitter benchmark: a Firehose object of 128 MiB compressed (the Firehose maximum),
 * cached in bench/.data/. Each variant runs in its own child process (bundled, plain node) so
 * its peak RSS is its own. The floor is this machine's gunzip plus JSON.parse of every record.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { gunzip as gunzipCallback, gzip as gzipCallback } from 'node:zlib';
import { lambdaHeapFlags } from './support/measure';

const gzip = promisify(gzipCallback);
const DATA = join(__dirname, '.data');
const OBJECT = join(DATA, 'firehose-128MiB.gz');
const TARGET_BYTES = 128 * 1024 * 1024;
const MiB = 1024 * 1024;
const MEMORY_MB = 256; // serverless.yml: the splitter's memorySize
/** Longest wall time of one variant: the slowest, in-memory, took about 90 s. */
const VARIANT_TIMEOUT_MS = 600_000;

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length]!;
const PATHS = ['/v1/orders', '/v1/users/me', '/v1/payments/confirm', '/healthz', '/v1/search'] as const;
const GROUPS = ['/aws/lambda/orders', '/ecs/payments-api', '/aws/lambda/getIncorrectLists'] as const;

/** One record as CloudWatch Logs sends it: JSON logs of a Go service, Lambda console lines, text, Korean. */
function makeRecord(recordNo: number, firstEvent: number): string {
  const count = 50 + (recordNo % 7) * 60;
  const events = [];
  const requestId = randomBytes(16)
    .toString('hex')
    .replace(/(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  for (let i = 0; i < count; i++) {
    const n = firstEvent + i;
    const time = 1732122743505 + n * 7;
    const iso = new Date(time).toISOString();
    let message: string;
    switch (n % 5) {
      case 0:
      case 1:
        message = JSON.stringify({
          level: n % 31 === 0 ? 'error' : 'info',
          ts: iso,
          msg: 'request and response log',
          log: {
            duration: (n * 7919) % 20000000,
            request: {
              hostname: 'api.example.com',
              method: 'GET',
              path: `${pick(PATHS, n)}/${randomBytes(4).toString('hex')}`,
            },
            response: { status: n % 23 === 0 ? 500 : 200 },
          },
        });
        break;
      case 2:
        message = `${iso}\t${requestId}\tINFO\tFetching incorrect lists for user ${randomBytes(6).toString('base64')} page ${n % 40}\n`;
        break;
      case 3:
        message = `결제 요청 처리 완료: 주문번호 ${n}, 사용자 ${randomBytes(3).toString('hex')} }{ 금액 ${(n * 37) % 100000}원`;
        break;
      default:
        message = `REPORT RequestId: ${requestId}\tDuration: ${(n % 900) + 0.52} ms\tBilled Duration: ${(n % 900) + 1} ms\tMemory Size: 128 MB\tMax Memory Used: ${60 + (n % 40)} MB\t\n`;
    }
    events.push({
      id: `3862762795548481885276809816848983329890423124${String(n).padStart(10, '0')}`, // 56 digits
      timestamp: time,
      message,
    });
  }
  return JSON.stringify({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup: pick(GROUPS, recordNo),
    logStream: `2024/11/20/[$LATEST]${randomBytes(16).toString('hex')}`,
    subscriptionFilters: ['firehose'],
    logEvents: events,
  });
}

/** Writes the object (each record its own gzip member, as Firehose stores them) and the record sizes. */
async function generate(): Promise<void> {
  mkdirSync(DATA, { recursive: true });
  console.log(`generating ${OBJECT} (128 MiB of gzip members; cached for later runs)...`);
  const started = Date.now();
  const out = createWriteStream(`${OBJECT}.partial`);
  const lengths: number[] = [];
  let written = 0;
  let events = 0;
  for (let recordNo = 0; written < TARGET_BYTES; recordNo += 4) {
    // Four records compress at once on the thread pool.
    const jsons = [0, 1, 2, 3].map((k) => {
      const json = makeRecord(recordNo + k, events);
      events += 50 + ((recordNo + k) % 7) * 60;
      return json;
    });
    const members = await Promise.all(jsons.map((json) => gzip(json)));
    for (let k = 0; k < members.length && written < TARGET_BYTES; k++) {
      lengths.push(Buffer.byteLength(jsons[k]!));
      written += members[k]!.length;
      if (!out.write(members[k]!)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  writeFileSync(`${OBJECT}.records.json`, JSON.stringify(lengths));
  spawnSync('mv', [`${OBJECT}.partial`, OBJECT]);
  console.log(`generated ${lengths.length} records in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** Documents in a `_bulk` body: an action line and a source line each, every line ending in \n. */
function bulkDocuments(body: Buffer): number {
  let lines = 0;
  for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) lines++;
  return lines / 2;
}

/**
 * A loopback `_bulk` that reads every byte and answers as Elasticsearch does when nothing fails:
 * one item with status 201 per document. Cheap (it counts lines, parses nothing), but complete:
 * the delivery counts an answer with fewer items than documents as nothing delivered and retries
 * the batch, which with an answer of no items at all never ends (the bench hung that way).
 */
async function startSink(): Promise<{ url: string; bytes: () => number; close: () => void }> {
  let bytes = 0;
  const item = '{"create":{"status":201}}';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      chunks.push(chunk);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (plain: Buffer) => {
        const items = new Array<string>(bulkDocuments(plain)).fill(item).join(',');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(`{"took":1,"errors":false,"items":[${items}]}`);
      };
      if (req.headers['content-encoding'] !== 'gzip') return answer(body);
      gunzipCallback(body, (error, plain) => {
        if (error) {
          res.writeHead(400);
          res.end();
        } else answer(plain);
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bytes: () => bytes, close: () => server.close() };
}

async function bundleVariants(): Promise<string> {
  const { build } = await import('esbuild');
  // Outside the repository: linters must not see the bundle.
  const outfile = join(mkdtempSync(join(tmpdir(), 'splitter-bench-')), 'variants.js');
  await build({
    entryPoints: [join(__dirname, 'splitter-variants.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

interface Measured {
  bytes: number;
  docs: number;
  ms: number;
  maxRssMb: number;
}

async function runVariant(
  script: string,
  name: string,
  sinkUrl: string,
  nodeArgs: string[] = [],
  env: Record<string, string> = {},
): Promise<Measured | string> {
  const child = spawn(process.execPath, [...nodeArgs, script, name, OBJECT, sinkUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A variant that stalls is reported as such and the others still run.
  const timer = setTimeout(() => child.kill('SIGKILL'), VARIANT_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'close')) as [number | null, string | null];
  clearTimeout(timer);
  if (signal === 'SIGKILL') return `timed out after ${VARIANT_TIMEOUT_MS / 1000} s`;
  if (code !== 0)
    return `failed (exit ${code}): ${stderr.trim().split('\n').slice(-2).join(' ').slice(0, 160)}`;
  return JSON.parse(stdout) as Measured;
}

function gzipCli(): number | undefined {
  const started = performance.now();
  const result = spawnSync('sh', ['-c', `gzip -dc '${OBJECT}' > /dev/null`]);
  return result.status === 0 ? performance.now() - started : undefined;
}

export async function run(): Promise<void> {
  if (!existsSync(OBJECT) || !existsSync(`${OBJECT}.records.json`)) await generate();
  const compressed = statSync(OBJECT).size;
  const script = await bundleVariants();
  const sink = await startSink();
  const results: Record<string, Measured | string> = {};
  // [label, variant, node options, environment]. Every variant but the last runs with the heap
  // sizes Lambda gives the deployed function, so peak RSS is what it would reach there.
  const lambda = lambdaHeapFlags(MEMORY_MB);
  const plan: Array<[string, string, string[], Record<string, string>]> = [
    ['gunzip', 'gunzip', lambda, {}],
    ['floor', 'floor', lambda, {}],
    ['split-only', 'split-only', lambda, {}],
    ['splitter-no-sink', 'splitter-no-sink', lambda, {}],
    ['splitter', 'splitter', lambda, {}],
    // The same without gzipping the _bulk bodies (DESTINATION_GZIP=false, e.g. inside a VPC).
    ['splitter, no gzip', 'splitter', lambda, { DESTINATION_GZIP: 'false' }],
    // With V8's old space capped far below Lambda's: memory is bounded by design, not by luck.
    ['splitter, 64MB heap', 'splitter', [...lambda, '--max-old-space-size=64'], {}],
    // Peers' approach needs far more than V8's default heap; give it room to finish.
    ['in-memory', 'in-memory', ['--max-old-space-size=16384'], {}],
  ];
  try {
    for (const [label, name, args, env] of plan)
      results[label] = await runVariant(script, name, sink.url, args, env);
  } finally {
    sink.close();
    rmSync(dirname(script), { recursive: true, force: true });
  }
  const cliMs = gzipCli();
  const floor = results.floor;
  const floorRate = typeof floor === 'object' ? floor.bytes / floor.ms : NaN;
  console.log(`object: ${(compressed / MiB).toFixed(1)} MiB compressed (${OBJECT})`);
  console.log(`V8 heap as Lambda sizes it for ${MEMORY_MB} MB: ${lambda.join(' ')} (in-memory: 16 GiB)`);
  if (cliMs !== undefined && typeof floor === 'object') {
    console.log(`gzip -dc (CLI): ${(floor.bytes / MiB / (cliMs / 1000)).toFixed(0)} MiB/s decompressed`);
  }
  console.log('variant              MiB/s out  MiB/s in   docs/s    time s  peak RSS MB  vs floor');
  for (const [name, result] of Object.entries(results)) {
    if (typeof result === 'string') {
      console.log(`${name.padEnd(20)} ${result}`);
      continue;
    }
    const seconds = result.ms / 1000;
    const cols = [
      (result.bytes / MiB / seconds).toFixed(0).padStart(9),
      (compressed / MiB / seconds).toFixed(1).padStart(9),
      result.docs ? (result.docs / seconds).toFixed(0).padStart(9) : '        -',
      seconds.toFixed(1).padStart(8),
      result.maxRssMb.toFixed(0).padStart(11),
      `${(result.bytes / result.ms / floorRate).toFixed(2)}x`.padStart(9),
    ];
    console.log(`${name.padEnd(20)} ${cols.join('  ')}`);
  }
  const split = results.splitter;
  if (typeof split === 'object') {
    const ratio = split.bytes / split.ms / floorRate;
    console.log(`splitter vs floor: ${ratio.toFixed(2)}x (target >= 0.5x) ${ratio >= 0.5 ? 'PASS' : 'MISS'}`);
    console.log(
      `splitter peak RSS: ${split.maxRssMb.toFixed(0)} MB (target < 200 MB) ${split.maxRssMb < 200 ? 'PASS' : 'MISS'}`,
    );
    console.log(`sink received ${(sink.bytes() / MiB).toFixed(0)} MiB of _bulk bodies in all (all variants)`);
  }
}
