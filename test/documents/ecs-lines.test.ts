import { decodeSubscriptionEvent } from '../../libs/forwarding/decoding/subscription';
import { buildDocument, documentsFromLogsData, IndexNamer, levelOf } from '../../libs/forwarding/documents';
import { lineTimeOf } from '../../libs/forwarding/documents/json-message';
import { objectLineDocument, recordLineDocument } from '../../libs/forwarding/documents/lines';
import { fixture } from '../support/fixtures';

const options = { indexNamer: new IndexNamer('cwl'), region: 'ap-northeast-2', jsonAtRoot: false };
const context = { owner: '123456789012', logGroup: '/ecs/orders', logStream: 's' };
const ecsDocs = (jsonAtRoot = false) => [
  ...documentsFromLogsData(
    decodeSubscriptionEvent(fixture('forwarder', 'ecs-json-lines.json')),
    { ...options, jsonAtRoot },
    () => {
      throw new Error('no line of the fixture is rejected');
    },
  ),
];

describe('ECS-formatted lines (Elastic ecs-logging for Node, Java, Python)', () => {
  it('reads log.level as written by each logger: dotted, nested, upper case, padded', () => {
    expect(ecsDocs().map((doc) => doc._source.log?.level)).toEqual([
      'info', // @elastic/ecs-pino-format
      'error',
      'warn', // log4j2 EcsLayout
      'error',
      'info', // Spring Boot ECS structured logging
      'error', // ecs-logging-python
      'info',
      'info',
    ]);
    expect(levelOf({ 'log.level': ' WARN' })).toBe('warn');
    expect(levelOf({ log: { level: 'DEBUG', logger: 'app' } })).toBe('debug');
    expect(levelOf({ log: { file: 'app.log' } })).toBeUndefined();
    expect(levelOf({ 'log.level': 'verbose' })).toBeUndefined();
  });

  it('the line’s own @timestamp is the document’s; the index day and the id stay the CloudWatch event’s', () => {
    const docs = ecsDocs();
    expect(docs.map((doc) => doc._source['@timestamp'])).toEqual([
      '2024-11-20T08:15:30.125Z',
      '2024-11-20T08:15:30.977Z',
      '2024-11-20T08:15:31.042Z',
      '2024-11-20T08:15:31.301Z',
      '2024-11-20T08:15:32.361Z', // nanoseconds, cut to the engines' milliseconds
      '2024-11-20T08:15:33.917Z',
      '2024-11-20T08:15:34.002Z', // "2022-11-19T20:15:18+UTC" is no ISO time: CloudWatch's time stays
      '2024-11-20T23:59:59.998Z',
    ]);
    // Written before midnight, received after it: the index is the day CloudWatch received it.
    expect(docs.at(-1)!._index).toBe('cwl-2024.11.21');
    expect(docs.at(-1)!._id).toBe('38941132837173842453164329578204884573849188220000000007');
    // The line is kept as it was logged, time included.
    expect(docs.at(-1)!._source.json!['@timestamp']).toBe('2024-11-20T23:59:59.998Z');
    expect(docs[4]!._source.json!['@timestamp']).toBe('2024-11-20T08:15:32.361295200Z');
  });

  it('only a zoned ISO 8601 @timestamp in years 0000-9999 counts as the line’s time', () => {
    expect(lineTimeOf({ '@timestamp': '2024-11-20T17:12:23.505+09:00' })).toBe(
      Date.UTC(2024, 10, 20, 8, 12, 23, 505),
    );
    expect(lineTimeOf({ '@timestamp': '2024-11-20T17:12:23.505+0900' })).toBe(
      Date.UTC(2024, 10, 20, 8, 12, 23, 505),
    );
    for (const value of [
      '2024-11-20T17:12:23.505', // no zone: the writer's zone is unknown
      '2024-11-20 17:12:23Z',
      '2024-11-20T17:12:23,505Z',
      '2022-11-19T20:15:18+UTC',
      '2024-13-45T99:99:99Z',
      1732122743505,
    ]) {
      expect(lineTimeOf({ '@timestamp': value })).toBeUndefined();
    }
    expect(lineTimeOf({ timestamp: '2024-11-20T17:12:23.505Z' })).toBeUndefined();
  });

  it('every path takes the line’s time the same way: raw object lines and Kinesis records too', () => {
    const line = '{"@timestamp":"2024-11-20T08:15:30.125Z","log.level":"error","message":"boom"}';
    const fromObject = objectLineDocument(
      { uri: 's3://b/k', writtenAt: new Date('2024-11-21T01:00:00Z') },
      line,
      0,
      options,
    );
    expect(fromObject._source['@timestamp']).toBe('2024-11-20T08:15:30.125Z');
    expect(fromObject._source.log).toEqual({ level: 'error' });
    expect(fromObject._index).toBe('cwl-2024.11.21');
    const fromRecord = recordLineDocument(
      { index: 0, fields: { log: line } },
      { sequenceNumber: '1', partitionKey: 'p', arrivalMs: Date.parse('2024-11-21T01:00:00Z') },
      options,
    );
    expect(fromRecord._source['@timestamp']).toBe('2024-11-20T08:15:30.125Z');
    expect(fromRecord._index).toBe('cwl-2024.11.21');
  });

  it('JSON_FIELDS_AT_ROOT: dotted keys naming a pipeline field stay under json, the others reach the root', () => {
    const [first, , , fourth] = ecsDocs(true);
    expect(first!._source['service.name']).toBe('orders-api');
    expect(first!._source['ecs.version']).toBe('8.10.0');
    expect(first!._source.log).toEqual({ level: 'info' });
    expect(first!._source['log.level']).toBeUndefined();
    expect(fourth!._source['error.type']).toBe('java.sql.SQLTransientConnectionException');
    expect(fourth!._source['log.logger']).toBeUndefined();
    expect(fourth!._source.json!['log.logger']).toBe('com.example.billing.ExportJob');
    const doc = buildDocument(
      context,
      {
        id: '1',
        timestamp: 0,
        message: '{"aws.lambda.report.duration_ms":"slow","cloud.region":"elsewhere","json.x":1,"tags.y":2}',
      },
      { ...options, jsonAtRoot: true },
    );
    for (const key of ['aws.lambda.report.duration_ms', 'cloud.region', 'json.x', 'tags.y'])
      expect(doc._source[key]).toBeUndefined();
    expect(doc._source.cloud.region).toBe('ap-northeast-2');
  });
});
