/**
 * `npm run bench -- cost` (on Node 24: `npm run bench:node24 -- cost`): the measured inputs of
 * the README's "What it costs" table, and the table itself from them. The forwarder's
 * CPU-seconds per GiB of log text are measured here (bench/forwarder-cpu.ts, both mixes); the
 * prices are list prices, written below with their date: change them for your region.
 */
import { forwarderCpu, benchMixes, type ForwarderCpu } from './forwarder-cpu';
import { fmt, startSink } from './support/measure';

/** List prices, us-east-1, as published on 2026-12-06 (aws.amazon.com/<service>/pricing). */
export const PRICES = {
  date: '2026-12-06',
  region: 'us-east-1',
  /** Lambda arm64 (serverless.yml deploys arm64), per GB-second and per request. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** CloudWatch Logs ingestion, Standard log class, per GB (what every option pays first). */
  cloudWatchIngestGb: 0.5,
  /** Firehose ingestion, per GB (first 500 TB a month), in 5 KB steps per record. */
  firehoseIngestGb: 0.029,
  /** S3 Standard, per GB-month, and per 1,000 PUT requests. */
  s3GbMonth: 0.023,
  s3Put: 0.005 / 1000,
  /** OpenSearch Ingestion, per OCU-hour. */
  ingestionOcuHour: 0.24,
};

/** Lambda's vCPU share is memory / 1,769 MB: below that, a CPU-bound second costs this many GB-s. */
const GB_SECONDS_PER_CPU_SECOND = 1769 / 1024;
/** Log text per forwarder invocation (a CloudWatch Logs subscription payload), assumed. */
const LOG_BYTES_PER_INVOCATION = 256 * 1024;
/** A Firehose object (5 MiB buffer, gzipped by CloudWatch Logs) holds about this much log text. */
const LOG_BYTES_PER_FIREHOSE_OBJECT = 40 * 1024 * 1024;
/** CloudWatch Logs payloads are gzipped: measured on the bench's mixes (log text / payload bytes). */
const PAYLOAD_COMPRESSION = 8;
/** Days the raw Firehose objects and the exports are kept in S3 (params.yml rawLogsExpireDays: 30). */
const S3_DAYS = 30;
/** One OpenSearch Ingestion OCU carries up to 2 MiB/s of a simple log pipeline; 2 OCUs minimum for two AZs. */
const OCU_GIB_PER_DAY = (2 * 86400) / 1024;
const OCU_MINIMUM = 2;
/** The exporter: one scheduled run an hour (params.yml exporterSchedule), about 2 s at 256 MB each. */
const EXPORTER_RUNS_PER_DAY = 24;
const EXPORTER_GB_SECONDS_PER_RUN = 2 * 0.25;

export interface CostRow {
  gbPerDay: number;
  cloudWatchIngest: number;
  forwarder: { gbSeconds: number; requests: number; dollars: number };
  firehosePath: { firehose: number; s3: number; splitterGbSeconds: number; dollars: number };
  exporter: { gbSeconds: number; dollars: number };
  firehoseToOpenSearch: number;
  openSearchIngestion: { ocus: number; dollars: number };
}

/** The cost of one day at `gbPerDay` of log text, from `cpuSecondsPerGiB` (the forwarder's, measured). */
export function dailyCost(gbPerDay: number, cpuSecondsPerGiB: number): CostRow {
  const p = PRICES;
  const gbSeconds = gbPerDay * cpuSecondsPerGiB * GB_SECONDS_PER_CPU_SECOND;
  const requests = (gbPerDay * 2 ** 30) / LOG_BYTES_PER_INVOCATION;
  const compressedGb = gbPerDay / PAYLOAD_COMPRESSION;
  const objects = (gbPerDay * 2 ** 30) / LOG_BYTES_PER_FIREHOSE_OBJECT;
  // The splitter runs the same document step and delivery on the same events (not measured apart).
  const splitterGbSeconds = gbSeconds;
  const s3 = compressedGb * S3_DAYS * (p.s3GbMonth / 30) + objects * p.s3Put;
  const firehose = compressedGb * p.firehoseIngestGb;
  const ocus = Math.max(OCU_MINIMUM, Math.ceil(gbPerDay / OCU_GIB_PER_DAY));
  return {
    gbPerDay,
    cloudWatchIngest: gbPerDay * p.cloudWatchIngestGb,
    forwarder: { gbSeconds, requests, dollars: gbSeconds * p.lambdaGbSecond + requests * p.lambdaRequest },
    firehosePath: {
      firehose,
      s3,
      splitterGbSeconds,
      dollars: firehose + s3 + splitterGbSeconds * p.lambdaGbSecond + objects * p.lambdaRequest,
    },
    exporter: {
      gbSeconds: EXPORTER_RUNS_PER_DAY * EXPORTER_GB_SECONDS_PER_RUN,
      dollars:
        EXPORTER_RUNS_PER_DAY * (EXPORTER_GB_SECONDS_PER_RUN * p.lambdaGbSecond + p.lambdaRequest) +
        compressedGb * S3_DAYS * (p.s3GbMonth / 30),
    },
    // The same gzipped CloudWatch Logs records; its per-GB decompression option is not included.
    firehoseToOpenSearch: compressedGb * p.firehoseIngestGb,
    openSearchIngestion: { ocus, dollars: ocus * 24 * p.ingestionOcuHour },
  };
}

const money = (n: number) => `$${n < 1 ? n.toFixed(3) : fmt(n, 2)}`;

export function printCostTable(cpuSecondsPerGiB: number): void {
  console.log(
    `\nper day, ${PRICES.region} list prices of ${PRICES.date}, forwarder at ${fmt(cpuSecondsPerGiB, 1)} CPU-s/GiB (arm64 Lambda price)`,
  );
  console.log(
    '  GB/day   CloudWatch ingest   forwarder (GB-s, requests)            Firehose+splitter   exporter   Firehose->OpenSearch   OpenSearch Ingestion',
  );
  for (const gb of [10, 100, 1000]) {
    const row = dailyCost(gb, cpuSecondsPerGiB);
    console.log(
      `  ${String(gb).padStart(6)}   ${money(row.cloudWatchIngest).padStart(17)}   ${`${money(row.forwarder.dollars)} (${fmt(row.forwarder.gbSeconds)} GB-s, ${fmt(row.forwarder.requests)})`.padEnd(36)}   ${money(row.firehosePath.dollars).padStart(17)}   ${money(row.exporter.dollars).padStart(8)}   ${money(row.firehoseToOpenSearch).padStart(20)}   ${`${money(row.openSearchIngestion.dollars)} (${row.openSearchIngestion.ocus} OCU)`.padStart(20)}`,
    );
  }
}

export async function run(): Promise<void> {
  const sink = await startSink();
  let results: ForwarderCpu[];
  try {
    results = await forwarderCpu(benchMixes(), sink.url);
  } finally {
    sink.stop();
  }
  console.log(
    `measured inputs (${process.version}; Lambda runs nodejs24.x): CPU-seconds per GiB of log text`,
  );
  for (const result of results) {
    console.log(
      `  ${result.mix.padEnd(24)} forwarder ${fmt(result.ours.cpuSecondsPerGiB, 1).padStart(6)}   blueprint ${fmt(result.blueprint.cpuSecondsPerGiB, 1).padStart(6)}   (${fmt(result.logBytes / result.events)} B/event)`,
    );
  }
  console.log('  splitter: taken as the forwarder (same document step and delivery), not measured apart');
  console.log(
    `  exporter: ${EXPORTER_RUNS_PER_DAY} runs a day of about ${EXPORTER_GB_SECONDS_PER_RUN} GB-s, whatever the volume`,
  );
  // The dearer mix sets the table: the Lambda mix has shorter lines, so more events per GiB.
  const worst = Math.max(...results.map((result) => result.ours.cpuSecondsPerGiB));
  printCostTable(worst);
}
