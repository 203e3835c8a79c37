import { createHash } from 'node:crypto';
import { enrich, type DocumentOptions } from '../documents/build';
import type { DocumentSource, LogDocument } from '../documents/types';

/** Where a line came from: `s3://bucket/key` in the function, `file://<name>` in the CLI. */
export interface LineOrigin {
  uri: string;
  /** When the object was written (S3 LastModified): the fallback event time. */
  writtenAt: Date;
  bucket?: string;
  key?: string;
}

// Lambda console lines, CloudWatch exports and many loggers start with an ISO UTC time.
const LEADING_ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)[\s\t]/;

/**
 * A line's id: extracted messages carry no CloudWatch event id, so the id is derived from the
 * position of the line in its object (sha256 of `<uri>\n<offset>`). Splitting the same object
 * again gives the same ids, so an S3 event delivered twice never duplicates a line.
 */
export function lineId(uri: string, offset: number): string {
  return createHash('sha256').update(`${uri}\n${offset}`).digest('hex').slice(0, 40);
}

function lineTime(text: string, fallback: number): number {
  const match = LEADING_ISO_TIME.exec(text);
  if (match === null) return fallback;
  const parsed = Date.parse(match[1]!);
  return Number.isNaN(parsed) ? fallback : parsed;
}

/** The document for one raw line: the message plus its origin; no log group is known. */
export function lineDocument(
  origin: LineOrigin,
  text: string,
  offset: number,
  options: DocumentOptions,
): LogDocument {
  const time = lineTime(text, origin.writtenAt.getTime());
  const source: DocumentSource = {
    '@timestamp': new Date(time).toISOString(),
    message: text,
    aws: {
      s3:
        origin.bucket === undefined
          ? { uri: origin.uri, offset }
          : { bucket: origin.bucket, key: origin.key, offset },
    },
    cloud: { provider: 'aws', region: options.region },
  };
  enrich(source, text, options);
  return { _id: lineId(origin.uri, offset), _index: options.indexNamer.nameFor(time), _source: source };
}
