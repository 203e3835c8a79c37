/**
 * Splits a downloaded Firehose object into documents, one JSON per line on stdout (for grep
 * and jq): `npm run split -- <file>`, or `-` for stdin. Any format the splitter function
 * handles (gzip layers, concatenated or newline-delimited records, extracted lines).
 * INDEX_PREFIX, INDEX_TIMEZONE, JSON_FIELDS_AT_ROOT and SPLIT_MAX_RECORD_BYTES apply as in
 * the function. Exit code 1 on a fault, after printing every document before it.
 */
import './quiet-sdk-warning';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { intVar } from '../libs/runtime/env';
import { loadDocumentStep } from '../libs/forwarding/pipeline/document-step';
import { serializeDocument } from '../libs/forwarding/documents/serialize';
import type { LogDocument } from '../libs/forwarding/documents/types';
import { splitStream } from '../libs/splitter/split-stream';

const USAGE = 'usage: npm run split -- <file | -> [> documents.ndjson]';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 1 || args[0] === '-h' || args[0] === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const path = args[0]!;
  const fromStdin = path === '-';
  // The same document step as the functions: INDEX_*, JSON_FIELDS_AT_ROOT and RULES_FILE apply.
  const documents = loadDocumentStep(process.env);
  const maxRecordBytes = intVar(process.env, 'SPLIT_MAX_RECORD_BYTES', 16 * 1024 * 1024, { min: 1024 });
  const writtenAt = fromStdin ? new Date() : statSync(path).mtime; // fails clearly before opening
  const body = fromStdin ? process.stdin : createReadStream(path);
  let rejected = 0;

  const write = (doc: LogDocument): Promise<void> | undefined =>
    process.stdout.write(`${serializeDocument(doc)}\n`)
      ? undefined
      : new Promise((resolve) => process.stdout.once('drain', resolve));

  const stats = await splitStream(body, {
    source: {
      uri: fromStdin ? 'file://-' : `file://${basename(path)}`,
      writtenAt,
    },
    documents,
    maxRecordBytes,
    sink: {
      push: write,
      reject: (event) => {
        rejected++;
        process.stderr.write(`rejected event: ${event.reason}\n`);
      },
    },
  });
  process.stderr.write(
    `${stats.documents} documents from ${stats.format} (${stats.gzip_layers} gzip layers, ${stats.records} records, ${stats.control_messages} control messages, ${stats.lines} lines, ${rejected} rejected)\n`,
  );
  return 0;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0); // e.g. `| head`
  throw error;
});

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`split failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
