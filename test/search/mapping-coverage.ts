import type { KinesisStreamEvent } from 'aws-lambda';
import { decodeSubscriptionEvent } from '../../libs/forwarding/decoding/subscription';
import { documentsFromLogsData, IndexNamer, type LogDocument } from '../../libs/forwarding/documents';
import { recordLineDocument } from '../../libs/forwarding/documents/lines';
import { decodeRecordData, recordOrigin } from '../../libs/forwarding/decoding/kinesis-records';
import { fixture as loadFixture } from '../support/fixtures';

/** Where one leaf of a document lands in a mapping. */
export type Resolution =
  | { kind: 'field'; type: string }
  /** Under `json`: one flattened / flat_object / disabled field, whatever the keys. */
  | { kind: 'flat'; at: string }
  /** A key the mapping does not declare, below an object with dynamic: false: kept in _source only. */
  | { kind: 'unindexed'; at: string; dynamic: unknown }
  /** A scalar where the mapping has an object, or the reverse: the document would be rejected. */
  | { kind: 'conflict'; at: string };

type Mapping = { type?: string; dynamic?: unknown; enabled?: boolean; properties?: Record<string, Mapping> };

const FLAT_TYPES = new Set(['flattened', 'flat_object']);

export function resolve(mappings: Mapping, path: string[]): Resolution {
  let node = mappings;
  for (let i = 0; i < path.length; i++) {
    const at = path.slice(0, i + 1).join('.');
    const child = node.properties?.[path[i]!];
    if (child === undefined) return { kind: 'unindexed', at, dynamic: node.dynamic };
    if (FLAT_TYPES.has(child.type ?? '') || child.enabled === false) return { kind: 'flat', at };
    const last = i === path.length - 1;
    if (child.properties !== undefined) {
      if (last) return { kind: 'conflict', at };
      node = child;
    } else {
      return last ? { kind: 'field', type: child.type ?? 'object' } : { kind: 'conflict', at };
    }
  }
  return { kind: 'conflict', at: path.join('.') };
}

/**
 * Every leaf of a document as [path, value]; array elements share their array's path. A dotted
 * key is the path it spells, as the engines read it (`"log.level"` is `log` then `level`).
 */
export function leaves(value: unknown, path: string[] = []): Array<[string[], unknown]> {
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, path));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, child]) =>
      child === undefined ? [] : leaves(child, [...path, ...key.split('.')]),
    );
  }
  return [[path, value]];
}

/** Whether a JSON value is accepted by a field type without coercion. */
export function fits(type: string, value: unknown): boolean {
  switch (type) {
    case 'float':
    case 'long':
      return typeof value === 'number' && (type === 'float' || Number.isInteger(value));
    case 'date':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value));
    case 'keyword':
    case 'text':
      return typeof value === 'string';
    default:
      return false;
  }
}

const fixture = (name: string): unknown => loadFixture('forwarder', name);

export const SUBSCRIPTION_FIXTURES = [
  'lambda-console-lines.json',
  'go-service-json-lines.json',
  'ecs-json-lines.json',
  'lambda-invocation.json',
  'control-message.json',
];
export const KINESIS_FIXTURES = ['kinesis-fluent-bit.json', 'kinesis-subscription.json'];

/** The documents the forwarder builds from the subscription fixtures. */
export function subscriptionDocuments(jsonAtRoot: boolean): LogDocument[] {
  const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot };
  return SUBSCRIPTION_FIXTURES.flatMap((name) => [
    ...documentsFromLogsData(decodeSubscriptionEvent(fixture(name)), options, () => {}),
  ]);
}

/** The documents the Kinesis path builds from its fixtures (Fluent Bit lines and subscription records). */
export function kinesisDocuments(jsonAtRoot: boolean): LogDocument[] {
  const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot };
  return KINESIS_FIXTURES.flatMap((name) =>
    (fixture(name) as KinesisStreamEvent).Records.flatMap((record) => {
      const decoded = decodeRecordData(record.kinesis.data);
      if (!decoded.ok) return [];
      if (decoded.payload.kind === 'subscription') {
        return [...documentsFromLogsData(decoded.payload.data, options, () => {})];
      }
      const origin = recordOrigin(record);
      return [...decoded.payload.lines].map((line) => recordLineDocument(line, origin, options));
    }),
  );
}
