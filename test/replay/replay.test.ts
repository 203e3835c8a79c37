import { gunzipSync, gzipSync } from 'node:zlib';
import { createTransport, loadDestinationConfig } from '../../libs/forwarding/destinations';
import type { DeadLetter, DeadLetterSink } from '../../libs/forwarding/destinations/dead-letter';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { deployedForwarderEnv } from '../../tools/replay/aws';
import { parseObject, reasonClass } from '../../tools/replay/dead-letters';
import { replayDeadLetters, type ObjectStore } from '../../tools/replay/replay';
import { parseReplayArgs } from '../../tools/replay/run';
import { BulkServer } from '../support/bulk-server';
import { quiet } from '../support/logging';

/** The dead-letter bucket in memory, as the replay uses it. */
class MemoryStore implements ObjectStore {
  readonly objects = new Map<string, Buffer>();
  async list(prefix: string) {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
  async get(key: string) {
    return this.objects.get(key)!;
  }
  async put(key: string, body: Buffer) {
    this.objects.set(key, body);
  }
  async delete(key: string) {
    this.objects.delete(key);
  }
  lines(key: string): Array<Record<string, unknown>> {
    return gunzipSync(this.objects.get(key)!)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

const doc = (id: string): LogDocument => ({
  _id: id,
  _index: 'cwl-2024.11.20',
  _source: { '@timestamp': '2024-11-20T00:00:00.000Z', message: id, aws: {}, cloud: { provider: 'aws' } },
});
const letters = (entries: Array<Record<string, unknown>>, at = '2026-11-20T10:00:00.000Z') =>
  gzipSync(entries.map((entry) => JSON.stringify({ ...entry, dead_lettered_at: at })).join('\n') + '\n');
const refused = (id: string) => ({
  reason: `400 document_parsing_exception: [1:42] failed to parse field [json.status] of type [long] in document with id '${id}'. Preview of field's value: 'x${id}'`,
  document: doc(id),
});

describe('replay of dead letters', () => {
  let server: BulkServer;
  let store: MemoryStore;
  const sunk: DeadLetter[][] = [];
  const sink: DeadLetterSink = {
    put: async (entries) => {
      sunk.push([...entries]);
      return `s3://bucket/dead-letter/replay/dt=2026-11-29/again-${sunk.length}.ndjson.gz`;
    },
  };
  const run = (extra: Partial<Parameters<typeof replayDeadLetters>[0]> = {}) => {
    const destination = loadDestinationConfig({
      DESTINATION_URL: server.url,
      RETRY_MAX_ATTEMPTS: '2',
      RETRY_BASE_DELAY_MS: '1',
    });
    return replayDeadLetters({
      store,
      transport: createTransport(destination),
      deadLetters: sink,
      dryRun: false,
      delivery: destination,
      log: quiet,
      ...extra,
    });
  };

  beforeEach(async () => {
    sunk.length = 0;
    store = new MemoryStore();
    store.objects.set(
      'dead-letter/forwarder/dt=2026-11-20/a.ndjson.gz',
      letters([refused('1'), refused('2')]),
    );
    store.objects.set(
      'dead-letter/splitter/dt=2026-11-21/b.ndjson.gz',
      letters(
        [
          refused('3'),
          {
            reason: 'record is not a CloudWatch Logs message: no logEvents at byte 120',
            event: { record: '{}' },
          },
          {
            reason: 'payload: timestamp is not a number',
            event: { id: '9', timestamp: 'x' },
            logGroup: '/g',
          },
        ],
        '2026-11-21T10:00:00.000Z',
      ),
    );
    server = await new BulkServer().start();
  });
  afterEach(() => server.stop());

  it('counts by reason (ids and values taken out), sends nothing on a dry run', async () => {
    const { summary, objects } = await run({ dryRun: true });
    expect(summary).toMatchObject({
      objects: 2,
      chosen: 3,
      skippedEvents: 2,
      delivered: 0,
      objectsChanged: 0,
    });
    expect(summary.reasons[0]).toEqual({
      kind: 'document',
      count: 3,
      reason:
        "400 document_parsing_exception: failed to parse field [json.status] of type [long] in document with id '…'. Preview of field's value: '…'",
    });
    expect(summary.reasons.map((r) => r.reason)).toContain(
      'record is not a CloudWatch Logs message: no logEvents at byte N',
    );
    expect(objects.map((o) => o.outcome)).toEqual(['would replay', 'would replay']);
    expect(server.documents.size).toBe(0);
    expect(store.objects.size).toBe(2);
  });

  it('resends with the original ids; deletes an object only when nothing in it stays', async () => {
    server.documents.set('2', { index: 'cwl-2024.11.20', source: {} }); // indexed since: 409
    const { summary, objects } = await run();
    expect(summary).toMatchObject({
      chosen: 3,
      delivered: 2,
      duplicates: 1,
      refusedAgain: 0,
      objectsChanged: 2,
    });
    expect([...server.documents.keys()].sort()).toEqual(['1', '2', '3']);
    expect(objects.map((o) => o.outcome)).toEqual(['deleted', 'rewritten']);
    // The raw events stay, byte for byte as they were.
    expect(store.lines('dead-letter/splitter/dt=2026-11-21/b.ndjson.gz').map((l) => l.reason)).toEqual([
      'record is not a CloudWatch Logs message: no logEvents at byte 120',
      'payload: timestamp is not a number',
    ]);
    const again = await run();
    expect(again.summary).toMatchObject({ chosen: 0, delivered: 0, skippedEvents: 2, objectsChanged: 0 });
  });

  it('--since and --reason choose; the rest stays where it is', async () => {
    const since = await run({ since: new Date('2026-11-21T00:00:00Z') });
    expect(since.summary).toMatchObject({ objects: 1, chosen: 1, delivered: 1 });
    expect([...server.documents.keys()]).toEqual(['3']);
    const byReason = await run({ reason: 'nothing like this' });
    expect(byReason.summary.chosen).toBe(0);
    expect(store.objects.has('dead-letter/forwarder/dt=2026-11-20/a.ndjson.gz')).toBe(true);
  });

  it('refused again: dead-lettered with the new reason before the original changes', async () => {
    server = await restart(
      server,
      new BulkServer({ itemFault: (item) => (item.id === '1' ? 400 : undefined) }),
    );
    const { summary } = await run();
    expect(summary).toMatchObject({ delivered: 2, refusedAgain: 1 });
    expect(sunk).toHaveLength(1);
    expect(sunk[0]![0]!.document!._id).toBe('1');
    expect(sunk[0]![0]!.reason).toMatch(/^400 /);
    expect(store.objects.has('dead-letter/forwarder/dt=2026-11-20/a.ndjson.gz')).toBe(false);
  });

  it('a destination that fails: the run stops, the object is unchanged, nothing is lost', async () => {
    server = await restart(server, new BulkServer({ requestFault: () => 503 }));
    const before = new Map(store.objects);
    const { summary } = await run();
    expect(summary.failure).toMatch(/a\.ndjson\.gz: .*503/);
    expect(summary.objectsChanged).toBe(0);
    expect(store.objects).toEqual(before);
  });

  it('a refused-again dead letter written over the object being replayed is not deleted', async () => {
    const key = 'dead-letter/replay/dt=2026-11-29/again-1.ndjson.gz';
    store.objects.clear();
    store.objects.set(key, letters([refused('1')]));
    server = await restart(server, new BulkServer({ itemFault: () => 400 }));
    const sameKey: DeadLetterSink = {
      put: async (entries) => {
        store.objects.set(key, letters(entries.map((entry) => ({ ...entry, reason: 'new reason' }))));
        return `s3://bucket/${key}`;
      },
    };
    const { objects } = await run({ deadLetters: sameKey });
    expect(objects[0]!.outcome).toBe('rewritten');
    expect(store.lines(key)[0]!.reason).toBe('new reason');
  });
});

async function restart(old: BulkServer, next: BulkServer): Promise<BulkServer> {
  await old.stop();
  return next.start();
}

describe('replay inputs', () => {
  it('reads plain and gzip objects; a line that is not JSON is counted, never sent', () => {
    const lines = parseObject(
      Buffer.from('{"reason":"r","document":{"_id":"1","_index":"i","_source":{}}}\nnot json\n'),
    );
    expect(lines.map((l) => l.kind)).toEqual(['document', 'unreadable']);
  });

  it('groups reasons of both engines', () => {
    expect(
      reasonClass(
        "400 mapper_parsing_exception: failed to parse field [n] of type [long] in document with id 'a4'. Preview of field's value: 'abc'",
      ),
    ).toBe(
      "400 mapper_parsing_exception: failed to parse field [n] of type [long] in document with id '…'. Preview of field's value: '…'",
    );
    expect(reasonClass('document of 2000000 bytes is too large for the destination (413)')).toBe(
      'document of N bytes is too large for the destination (413)',
    );
  });

  it('arguments: --stage required, --since a date or time, errors naming the flag', () => {
    expect(() => parseReplayArgs([])).toThrow('--stage: is required');
    expect(() => parseReplayArgs(['--stage', 'dev', '--since', 'last week'])).toThrow(
      /--since: must be a date/,
    );
    expect(() => parseReplayArgs(['--stage', 'dev', '--bogus'])).toThrow(/arguments: .*bogus/);
    expect(parseReplayArgs(['--stage', 'dev', '--since', '2026-11-01', '--dry-run'])).toMatchObject({
      stage: 'dev',
      since: new Date('2026-11-01T00:00:00Z'),
      dryRun: true,
    });
  });

  it("the stage's destination and bucket are the deployed forwarder's environment", async () => {
    const env = await deployedForwarderEnv(
      async (name) => ({
        $metadata: {},
        FunctionName: name,
        Environment: {
          Variables: {
            DESTINATION_URL: 'https://search.example',
            DESTINATION_AUTH: 'basic',
            DESTINATION_CREDENTIALS: 'secretsmanager:logpipe/prod/es',
            DEAD_LETTER_BUCKET: 'logpipe-prod-dlq',
            INDEX_PREFIX: 'cwl',
          },
        },
      }),
      'logpipe-prod-forwarder',
      'ap-northeast-2',
    );
    expect(env).toEqual({
      AWS_REGION: 'ap-northeast-2',
      DESTINATION_URL: 'https://search.example',
      DESTINATION_AUTH: 'basic',
      DESTINATION_CREDENTIALS: 'secretsmanager:logpipe/prod/es',
      DEAD_LETTER_BUCKET: 'logpipe-prod-dlq',
    });
    await expect(
      deployedForwarderEnv(
        () => Promise.reject(new Error('ResourceNotFoundException')),
        'logpipe-x-forwarder',
        'us-east-1',
      ),
    ).rejects.toThrow(
      /cannot read the deployed logpipe-x-forwarder \(is the stage deployed in us-east-1\?\)/,
    );
  });
});
