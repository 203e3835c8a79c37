import * as lambdaSdk from '@aws-sdk/client-lambda';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { lambdaInvoker, queueUrlOf, SqsError, sqsApi, sqsQueue, type SqsCall } from '../../libs/redrive/aws';
import { functionNameOf, parseRecord, redrive, type MessageReport } from '../../libs/redrive/redrive';

/**
 * The redrive against a loopback server speaking SQS's JSON protocol (an in-memory queue with
 * receipt handles and visibility) and a mocked Lambda client: what is invoked, with which
 * payload, and which messages are deleted or stay.
 */

const FUNCTION = 'logpipe-dev-forwarder';
const ARN = `arn:aws:lambda:ap-northeast-2:123456789012:function:${FUNCTION}:$LATEST`;
const QUEUE = `${FUNCTION}-failures`;

interface Stored {
  id: string;
  body: string;
  visible: boolean;
  receipts: string[];
}

class FakeSqs {
  messages: Stored[] = [];
  calls: { target: string; body: Record<string, unknown>; authorization: string }[] = [];
  failDelete = false;
  private server: Server | undefined;
  url = '';

  add(body: string): string {
    const id = `m-${this.messages.length + 1}`;
    this.messages.push({ id, body, visible: true, receipts: [] });
    return id;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void read(req).then((text) => {
        const body = JSON.parse(text) as Record<string, unknown>;
        const target = String(req.headers['x-amz-target']);
        this.calls.push({ target, body, authorization: String(req.headers.authorization) });
        const [status, out] = this.handle(target, body);
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify(out));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private handle(target: string, body: Record<string, unknown>): [number, unknown] {
    const error = (type: string, message: string): [number, unknown] => [
      400,
      { __type: `com.amazonaws.sqs#${type}`, message },
    ];
    switch (target) {
      case 'AmazonSQS.GetQueueUrl':
        return body.QueueName === QUEUE
          ? [200, { QueueUrl: `${this.url}/123456789012/${QUEUE}` }]
          : error('QueueDoesNotExist', 'The specified queue does not exist.');
      case 'AmazonSQS.ReceiveMessage': {
        const visible = this.messages.filter((m) => m.visible).slice(0, Number(body.MaxNumberOfMessages));
        return [
          200,
          {
            Messages: visible.map((m) => {
              m.visible = false;
              const receipt = `${m.id}-r${m.receipts.length + 1}`;
              m.receipts.push(receipt);
              return { MessageId: m.id, ReceiptHandle: receipt, MD5OfBody: 'x', Body: m.body };
            }),
          },
        ];
      }
      case 'AmazonSQS.DeleteMessage': {
        if (this.failDelete) return error('AccessDenied', 'not allowed');
        const index = this.messages.findIndex((m) => m.receipts.includes(String(body.ReceiptHandle)));
        if (index < 0) return error('ReceiptHandleIsInvalid', 'unknown receipt handle');
        this.messages.splice(index, 1);
        return [200, {}];
      }
      default:
        return error('InvalidAction', target);
    }
  }

  /** Visibility timeout elapsed. */
  expireVisibility(): void {
    for (const m of this.messages) m.visible = true;
  }
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** A destination record as Lambda writes it for an async invocation that exhausted its retries. */
function record(payload: unknown, functionArn = ARN): string {
  return JSON.stringify({
    version: '1.0',
    timestamp: '2026-11-21T10:00:00.000Z',
    requestContext: {
      requestId: 'c9b0b0f1-0000-4000-8000-000000000000',
      functionArn,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: payload,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: 'DeliveryError', errorMessage: 'destination answered 503' },
  });
}

const subscriptionEvent = (n: number) => ({ awslogs: { data: `H4sIAAAAAAAA/${n}` } });

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

describe('redrive of an on-failure queue', () => {
  const sqs = new FakeSqs();
  const lambda = mockClient(LambdaClient);
  let call: SqsCall;

  beforeAll(async () => {
    await sqs.start();
    call = sqsApi({ region: 'ap-northeast-2', endpoint: sqs.url, credentials });
  });
  afterAll(() => sqs.stop());
  beforeEach(() => {
    sqs.messages = [];
    sqs.calls = [];
    sqs.failDelete = false;
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  });

  async function run(options: { dryRun?: boolean; max?: number } = {}) {
    const reports: MessageReport[] = [];
    const queueUrl = await queueUrlOf(call, QUEUE);
    const summary = await redrive({
      queue: sqsQueue(call, queueUrl),
      lambda: lambdaInvoker(new LambdaClient({ region: 'ap-northeast-2' }), lambdaSdk),
      functionName: FUNCTION,
      dryRun: options.dryRun ?? false,
      max: options.max ?? 1000,
      visibilityTimeoutSeconds: 300,
      report: (line) => reports.push(line),
    });
    return { summary, reports };
  }

  const invokedPayloads = () =>
    lambda.commandCalls(InvokeCommand).map((c) => {
      expect(c.args[0].input).toMatchObject({ FunctionName: FUNCTION, InvocationType: 'Event' });
      return JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString('utf8')) as unknown;
    });

  it('re-invokes the function asynchronously with each original event, then deletes the message', async () => {
    for (let n = 1; n <= 23; n++) sqs.add(record(subscriptionEvent(n)));
    const { summary, reports } = await run();
    expect(summary).toEqual({ received: 23, redriven: 23, listed: 0, skipped: 0 });
    expect(invokedPayloads()).toEqual(Array.from({ length: 23 }, (_, i) => subscriptionEvent(i + 1)));
    expect(sqs.messages).toEqual([]);
    expect(reports[0]).toMatchObject({
      outcome: 'redriven',
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
      error: 'DeliveryError: destination answered 503',
    });
  });

  it('signs every SQS call for the sqs service and receives at most 10 at a time', async () => {
    for (let n = 1; n <= 12; n++) sqs.add(record(subscriptionEvent(n)));
    await run();
    for (const c of sqs.calls)
      expect(c.authorization).toMatch(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-2\/sqs\/aws4_request/,
      );
    const receives = sqs.calls.filter((c) => c.target === 'AmazonSQS.ReceiveMessage');
    expect(receives.map((c) => c.body.MaxNumberOfMessages)).toEqual([10, 10, 10]);
    expect(receives[0]!.body).toMatchObject({
      VisibilityTimeout: 300,
      QueueUrl: expect.stringContaining(QUEUE),
    });
  });

  it('dry run lists and changes nothing', async () => {
    for (let n = 1; n <= 3; n++) sqs.add(record(subscriptionEvent(n)));
    const { summary, reports } = await run({ dryRun: true });
    expect(summary).toEqual({ received: 3, redriven: 0, listed: 3, skipped: 0 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.calls.some((c) => c.target === 'AmazonSQS.DeleteMessage')).toBe(false);
    expect(sqs.messages).toHaveLength(3);
    expect(reports.map((r) => r.outcome)).toEqual(['listed', 'listed', 'listed']);
    expect(reports[0]!.payloadBytes).toBe(JSON.stringify(subscriptionEvent(1)).length);
  });

  it('leaves what it cannot redrive: other functions, stream batch records, junk, records without payload', async () => {
    const other = sqs.add(record(subscriptionEvent(1), ARN.replace('forwarder', 'splitter')));
    const stream = sqs.add(
      JSON.stringify({ KinesisBatchInfo: { shardId: 'shardId-000000000000', batchSize: 100 } }),
    );
    const junk = sqs.add('not json');
    const noPayload = sqs.add(JSON.stringify({ requestContext: { functionArn: ARN } }));
    const good = sqs.add(record(subscriptionEvent(5)));
    const { summary, reports } = await run();
    expect(summary).toEqual({ received: 5, redriven: 1, listed: 0, skipped: 4 });
    expect(sqs.messages.map((m) => m.id)).toEqual([other, stream, junk, noPayload]);
    expect(reports.find((r) => r.messageId === good)?.outcome).toBe('redriven');
    expect(reports.find((r) => r.messageId === other)?.reason).toMatch(/logpipe-dev-splitter/);
    expect(reports.find((r) => r.messageId === stream)?.reason).toMatch(/not a Lambda destination record/);
  });

  it('stops at the first failed invoke and keeps that message and the rest', async () => {
    for (let n = 1; n <= 4; n++) sqs.add(record(subscriptionEvent(n)));
    lambda
      .on(InvokeCommand)
      .resolvesOnce({ StatusCode: 202 })
      .rejectsOnce(
        Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), {
          name: 'AccessDeniedException',
        }),
      );
    const { summary } = await run();
    expect(summary.redriven).toBe(1);
    expect(summary.failure).toMatch(
      /invoke failed for message m-2, left in the queue: AccessDeniedException/,
    );
    expect(sqs.messages.map((m) => m.id)).toEqual(['m-2', 'm-3', 'm-4']);
  });

  it('treats an answer other than 202 as a failed invoke', async () => {
    sqs.add(record(subscriptionEvent(1)));
    lambda.on(InvokeCommand).resolves({ StatusCode: 200 });
    const { summary } = await run();
    expect(summary.failure).toMatch(/answered 200, expected 202/);
    expect(sqs.messages).toHaveLength(1);
  });

  it('stops when a delete fails after the invoke, saying the event will be driven again', async () => {
    sqs.add(record(subscriptionEvent(1)));
    sqs.add(record(subscriptionEvent(2)));
    sqs.failDelete = true;
    const { summary } = await run();
    expect(summary.failure).toMatch(/m-1 was re-invoked but not deleted .*AccessDenied: not allowed/);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    sqs.expireVisibility();
    expect(sqs.messages).toHaveLength(2);
  });

  it('handles at most --max messages', async () => {
    for (let n = 1; n <= 15; n++) sqs.add(record(subscriptionEvent(n)));
    const { summary } = await run({ max: 12 });
    expect(summary.received).toBe(12);
    expect(sqs.messages).toHaveLength(3);
  });

  it('names a missing queue with the SQS error code', async () => {
    await expect(queueUrlOf(call, 'logpipe-dev-nope-failures')).rejects.toThrow(SqsError);
    await expect(queueUrlOf(call, 'logpipe-dev-nope-failures')).rejects.toThrow(
      /^QueueDoesNotExist: The specified queue/,
    );
  });
});

describe('destination records', () => {
  it('finds the function name in an ARN with or without qualifier', () => {
    expect(functionNameOf(ARN)).toBe(FUNCTION);
    expect(functionNameOf(ARN.replace(':$LATEST', ''))).toBe(FUNCTION);
    expect(functionNameOf('arn:aws:sqs:ap-northeast-2:123456789012:q')).toBeUndefined();
  });

  it('keeps the original event exactly, including a null payload', () => {
    const event = { Records: [{ s3: { object: { key: 'firehose/2026/a+b%2B.gz' } } }] };
    expect(parseRecord(record(event), FUNCTION)).toMatchObject({ ok: true, payload: JSON.stringify(event) });
    expect(parseRecord(record(null), FUNCTION)).toMatchObject({ ok: true, payload: 'null' });
  });
});
