import { documentOptions, loadDocumentConfig } from '../../libs/forwarding/documents/config';
import {
  DataStreamNamer,
  datasetOf,
  loadDataStreamConfig,
} from '../../libs/forwarding/documents/data-stream';
import type { LogDocument } from '../../libs/forwarding/documents/types';
import { DocumentStep, loadDocumentStep } from '../../libs/forwarding/pipeline/document-step';
import { rules } from '../rules/helpers';
import { logsData } from '../support/subscription';

/** Every document the step pushes for a payload. */
async function pushed(step: DocumentStep, data = logsData([{ message: 'a' }, { message: 'b' }])) {
  const docs: LogDocument[] = [];
  await step.pushLogsData(data, { push: (doc) => void docs.push(doc), reject: () => undefined });
  return docs;
}

describe('data stream names', () => {
  it('a dataset keeps only what a data stream name allows: lower case, no -, at most 100 bytes', () => {
    expect(datasetOf('/aws/lambda/getIncorrectLists')).toBe('aws.lambda.getincorrectlists');
    expect(datasetOf('/ecs/my-service#1 a:b,c')).toBe('ecs.my_service_1_a_b_c');
    expect(datasetOf('API-RequestLog')).toBe('api_requestlog');
    expect(datasetOf('//')).toBe('generic');
    const long = `/aws/lambda/${'x'.repeat(200)}`;
    const other = `/aws/lambda/${'x'.repeat(199)}y`;
    expect(datasetOf(long)).toHaveLength(100);
    expect(datasetOf(long)).not.toBe(datasetOf(other));
    for (const name of [long, '/aws/lambda/a-b', 'A\\B*C?"<>| ']) {
      expect(datasetOf(name)).toMatch(/^[a-z0-9][a-z0-9_.]{0,99}$/);
    }
  });

  it('INDEX_MODE and DATA_STREAM_NAMESPACE are validated, errors naming the variable', () => {
    expect(loadDataStreamConfig({})).toBeUndefined();
    expect(loadDataStreamConfig({ DATA_STREAM_NAMESPACE: 'kinesis-example' })).toBeUndefined();
    expect(loadDataStreamConfig({ INDEX_MODE: 'datastream' })).toEqual({ namespace: 'default' });
    expect(loadDataStreamConfig({ INDEX_MODE: 'datastream', DATA_STREAM_NAMESPACE: 'prod' })).toEqual({
      namespace: 'prod',
    });
    expect(() => loadDataStreamConfig({ INDEX_MODE: 'stream' })).toThrow(/INDEX_MODE.*daily, datastream/);
    for (const bad of ['kinesis-example', 'Prod', 'a b', '.x', 'x'.repeat(101)]) {
      expect(() => loadDataStreamConfig({ INDEX_MODE: 'datastream', DATA_STREAM_NAMESPACE: bad })).toThrow(
        /DATA_STREAM_NAMESPACE/,
      );
    }
  });
});

describe('the document step in data stream mode', () => {
  it('names the stream from the log group; the daily mode is unchanged', async () => {
    const docs = await pushed(loadDocumentStep({ INDEX_MODE: 'datastream', DATA_STREAM_NAMESPACE: 'prod' }));
    expect(docs.map((doc) => doc._index)).toEqual([
      'logs-aws.lambda.orders-prod',
      'logs-aws.lambda.orders-prod',
    ]);
    const daily = await pushed(loadDocumentStep({}));
    expect(daily[0]!._index).toBe('cwl-2024.11.20');
  });

  it("a rule's index routing names the dataset; unmatched documents keep the log group's", async () => {
    const step = new DocumentStep(documentOptions(loadDocumentConfig({})), {
      rules: rules([
        {
          name: 'access',
          match: { fields: [{ field: 'message', regex: '^GET' }] },
          index: { prefix: 'api-accesslog', date: 'monthly' },
        },
        { name: 'tagged', match: { fields: [{ field: 'message', equals: 'tag me' }] }, add: { x: 1 } },
      ]),
      dataStream: new DataStreamNamer({ namespace: 'dev' }),
    });
    const docs = await pushed(
      step,
      logsData([{ message: 'GET /' }, { message: 'tag me' }, { message: 'other' }], { logGroup: '/ecs/web' }),
    );
    expect(docs.map((doc) => doc._index)).toEqual([
      'logs-api_accesslog-dev',
      'logs-ecs.web-dev',
      'logs-ecs.web-dev',
    ]);
  });

  it('a Kinesis line without a log group takes its stream name, else generic', () => {
    const namer = new DataStreamNamer({ namespace: 'dev' });
    const base = {
      _id: '1',
      _index: 'x',
      _source: { '@timestamp': 't', message: '', cloud: { provider: 'aws' } },
    };
    expect(
      namer.route({
        ...base,
        _source: { ...base._source, aws: { kinesis: { stream: 'app-logs' } } },
      } as LogDocument),
    ).toBe('logs-app_logs-dev');
    expect(namer.route({ ...base, _source: { ...base._source, aws: {} } } as LogDocument)).toBe(
      'logs-generic-dev',
    );
  });
});
