import { gunzipSync } from 'node:zlib';
import type { CloudWatchLogEvent } from '../../libs/forwarding/decoding/subscription';
import { runReplay } from '../../tools/replay/run';
import { describeEachEngine, engineUrl } from '../peers/engine-env';
import { coldStart } from '../support/cold-start';
import { EngineClient } from '../support/engine-client';
import { quiet } from '../support/logging';
import { LocalS3 } from '../support/s3';
import { eventId, logsData, subscriptionEvent } from '../support/subscription';
import { lambdaContext } from '../support/lambda';

/**
 * `npm run replay` end to end: the deployed forwarder dead-letters what a real node refuses
 * (a JSON key first mapped as long, then sent as text) into s3rver, the mapping is fixed, and the
 * replay resends the documents with their original ids; a second replay indexes nothing twice,
 * and what is still refused stays in the dead letters with its new reason.
 */
const RUN = Date.now().toString(36);
const DEAD = 'logpipe-dead-letters-replay';
const context = lambdaContext({
  remainingMs: 300_000,
  awsRequestId: 'replay-test',
  functionName: 'logpipe-test-forwarder',
});

const id = (n: number) => eventId(n, 4444444444);

describeEachEngine('replay of dead letters into a real node', (kind) => {
  const prefix = `rp-${kind.slice(0, 2)}-${RUN}`;
  const day = `${prefix}-2024.11.20`;
  let engine: EngineClient;
  let s3: LocalS3;
  const savedEnv = { ...process.env };
  const printed: string[] = [];

  const replay = (...args: string[]) =>
    runReplay(['--stage', 'test', '--bucket', DEAD, '--destination-url', engine.url, ...args], {
      env: {},
      readFunctionConfig: () =>
        Promise.reject(new Error('not called when --bucket and --destination-url are given')),
      s3: () => s3.client,
      print: (text) => printed.push(text),
      log: quiet,
    });
  const lettersOf = async (key: string) =>
    gunzipSync(await s3.get(DEAD, key))
      .toString('utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { reason: string; document?: { _id: string }; event?: unknown });

  beforeAll(async () => {
    engine = new EngineClient(await engineUrl(kind));
    s3 = await new LocalS3([DEAD]).start();
    Object.assign(process.env, {
      ...s3.clientEnv,
      LOG_LEVEL: 'error',
    });
  }, 330_000);
  afterAll(async () => {
    process.env = savedEnv;
    await s3?.stop();
  });

  it('refused documents come back with their ids after the fix; twice is once; the still refused stay', async () => {
    // No template: the node maps JSON keys from the first document it sees.
    const forward = coldStart('forwarder', {
      DESTINATION_URL: engine.url,
      INDEX_PREFIX: prefix,
      DEAD_LETTER_BUCKET: DEAD,
      DEAD_LETTER_PREFIX: 'dead-letter/forwarder/',
    });
    const send = (events: Array<Partial<CloudWatchLogEvent>>, logStream: string) =>
      forward(subscriptionEvent(logsData(events, { logStream })), context);
    await send([{ id: id(1), message: '{"status":200,"size":1}' }], 'first');
    await send(
      [
        { id: id(2), message: '{"status":"not a number"}' }, // refused: status is a long
        { id: id(3), message: '{"status":"n/a","size":"big"}' }, // refused now, and for size after the fix
        { id: id(4), message: '{"status":201}' },
        { id: id(5), timestamp: 'yesterday' as unknown as number, message: 'poison' }, // never a document
      ],
      'second',
    );
    await send([{ id: id(6), message: '{"status":"teapot"}' }], 'third');
    expect(await engine.count(day)).toBe(2);
    const keys = await s3.keys(DEAD);
    expect(keys).toHaveLength(2);
    // One object per invocation: the second's (two documents and the raw event), the third's.
    const sizes = await Promise.all(keys.map(async (key) => (await lettersOf(key)).length));
    const mixed = keys[sizes.indexOf(3)];
    const onlyDocuments = keys[sizes.indexOf(1)];
    const mixedBefore = await s3.get(DEAD, mixed!);
    expect((await lettersOf(mixed!)).map((letter) => letter.document?._id ?? 'event')).toEqual(
      expect.arrayContaining([id(2), id(3), 'event']),
    );

    // Dry run: counts by reason (ids and values taken out), nothing sent, nothing changed.
    expect(await replay('--dry-run')).toBe(0);
    const dry = printed.join('\n');
    expect(dry).toMatch(
      /\n\s+3 {2}document {2}400 (mapper|document)_parsing_exception: failed to parse field \[json\.status\] of type \[long\] in document with id '…'/,
    );
    expect(dry).toMatch(/\n\s+1 {2}event {5}/);
    expect(dry).toMatch(/dry run: 2 objects, 3 documents would be replayed, 1 raw events/);
    expect(await s3.keys(DEAD)).toEqual(keys);
    expect(onlyDocuments).toBeDefined();
    expect(await engine.count(day)).toBe(2);

    // The fix: a template that maps status as keyword (size stays a long), and the day's index
    // rebuilt with it (a field's type cannot change in place).
    await engine.ok('PUT', `/_index_template/${prefix}`, {
      index_patterns: [`${prefix}-*`],
      priority: 300,
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: { json: { properties: { status: { type: 'keyword' }, size: { type: 'long' } } } },
        },
      },
    });
    // (Read back and written again with the same ids: _reindex is a module the test node lacks.)
    await engine.ok('POST', `/${day}/_refresh`);
    const held = (await engine.ok('POST', `/${day}/_search`, { size: 100 })).hits.hits as Array<{
      _id: string;
      _source: unknown;
    }>;
    await engine.ok('DELETE', `/${day}`);
    for (const hit of held) await engine.ok('PUT', `/${day}/_create/${hit._id}`, hit._source);
    expect(await engine.count(day)).toBe(2);

    printed.length = 0;
    expect(await replay()).toBe(0);
    expect(printed.join('\n')).toMatch(
      /2 objects: 3 documents replayed: 2 indexed, 0 already there \(409\), 1 refused again .*; 1 raw events \/ unreadable lines skipped \(kept\); 2 objects deleted or rewritten/,
    );
    expect(await engine.count(day)).toBe(4);
    for (const n of [2, 6]) expect((await engine.ok('GET', `/${day}/_doc/${id(n)}`))._id).toBe(id(n));
    // The object of documents only is gone; the mixed one keeps its raw event; the still refused
    // document is a dead letter again, with the reason of this refusal (size, not status).
    expect(await s3.keys(DEAD, 'dead-letter/forwarder/')).toEqual([mixed]);
    expect((await lettersOf(mixed!)).map((letter) => letter.event !== undefined)).toEqual([true]);
    const [again] = await s3.keys(DEAD, 'dead-letter/replay/');
    const [refused] = await lettersOf(again!);
    expect(refused!.document!._id).toBe(id(3));
    expect(refused!.reason).toMatch(/json\.size/);

    // Replaying again indexes nothing: the still refused one stays, with its reason.
    printed.length = 0;
    expect(await replay()).toBe(0);
    expect(printed.join('\n')).toMatch(
      /1 documents replayed: 0 indexed, 0 already there \(409\), 1 refused again/,
    );
    expect(await engine.count(day)).toBe(4);
    expect(await s3.keys(DEAD, 'dead-letter/replay/')).toEqual([again]);
    expect((await lettersOf(again!))[0]!.reason).toMatch(/json\.size/);

    // A replay cut off before it changed the objects (the originals put back): 409 for what is
    // already indexed, still nothing twice.
    await s3.put(DEAD, mixed!, mixedBefore);
    printed.length = 0;
    expect(await replay('--reason', 'no such reason')).toBe(0); // chooses by the reason's text
    expect(printed.join('\n')).toMatch(/: 0 documents replayed/);
    printed.length = 0;
    expect(await replay('--reason', 'JSON.STATUS')).toBe(0);
    expect(printed.join('\n')).toMatch(
      /2 documents replayed: 0 indexed, 1 already there \(409\), 1 refused again/,
    );
    expect(await engine.count(day)).toBe(4);
    expect(await engine.count(day, { term: { _id: id(2) } })).toBe(1);
  });
});
