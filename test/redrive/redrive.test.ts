import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  ReceiptHandleIsInvalid,
  ReceiveMessageCommand,
  SQSClient,
  type DeleteMessageCommandInput,
  type GetQueueUrlCommandInput,
  type ReceiveMessageCommandInput,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { lambdaInvoker, queueUrlOf, sqsQueue } from '../../tools/redrive/aws';
import { functionNameOf, parseRecord, redrive, type MessageReport } from '../../tools/redrive/redrive';

/**
 * The redrive against mocked SQS and Lambda clients (aws-sdk-client-mock). The SQS mock keeps a
 * small in-memory queue with receipt handles and visibility, so what is invoked, with which
 * payload, and which messages are deleted or stay can be asserted.
 */

const FUNCTION = 'logpipe-dev-forwarder';
const ARN = `arn:aws:lambda:ap-northeast-2:123456789012:function:${FUNCTION}:$LATEST`;
const QUEUE = `${FUNCTION}-failures`;
const QUEUE_URL = `https://sqs.ap-northeast-2.amazonaws.com/123456789012/${QUEUE}`;

interface Stored {
  id: string;
  body: string;
  visible: boolean;
  receipts: string[];
}

/** An SQS queue behind a mocked SQSClient. */
class FakeQueue {
  readonly client = mockClient(SQSClient);
  messages: Stored[] = [];
  failDelete = false;

  reset(): void {
    this.messages = [];
    this.failDelete = false;
    this.client.reset();
    this.client.on(GetQueueUrlCommand).callsFake((input: GetQueueUrlCommandInput) => {
      if (input.QueueName !== QUEUE)
        throw new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} });
      return { QueueUrl: QUEUE_URL };
    });
    this.client.on(ReceiveMessageCommand).callsFake((input: ReceiveMessageCommandInput) => {
      expect(input.QueueUrl).toBe(QUEUE_URL);
      const visible = this.messages.filter((m) => m.visible).slice(0, input.MaxNumberOfMessages);
      return {
        Messages: visible.map((m) => {
          m.visible = false;
          const receipt = `${m.id}-r${m.receipts.length + 1}`;
          m.receipts.push(receipt);
          return { MessageId: m.id, ReceiptHandle: receipt, Body: m.body };
        }),
      };
    });
    this.client.on(DeleteMessageCommand).callsFake((input: DeleteMessageCommandInput) => {
      if (this.failDelete)
        throw Object.assign(new Error('not allowed'), { name: 'AccessDenied', $metadata: {} });
      const index = this.messages.findIndex((m) => m.receipts.includes(String(input.ReceiptHandle)));
      if (index < 0) throw new ReceiptHandleIsInvalid({ message: 'unknown receipt handle', $metadata: {} });
      this.messages.splice(index, 1);
      return {};
    });
  }

  add(body: string): string {
    const id = `m-${this.messages.length + 1}`;
    this.messages.push({ id, body, visible: true, receipts: [] });
    return id;
  }

  /** Visibility timeout elapsed. */
  expireVisibility(): void {
    for (const m of this.messages) m.visible = true;
  }
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

describe('redrive of an on-failure queue', () => {
  const sqs = new FakeQueue();
  const lambda = mockClient(LambdaClient);
  const sqsClient = new SQSClient({ region: 'ap-northeast-2' });

  afterAll(() => {
    sqs.client.restore();
    lambda.restore();
  });
  beforeEach(() => {
    sqs.reset();
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  });

  async function run(options: { dryRun?: boolean; max?: number } = {}) {
    const reports: MessageReport[] = [];
    const queueUrl = await queueUrlOf(sqsClient, QUEUE);
    const summary = await redrive({
      queue: sqsQueue(sqsClient, queueUrl),
      lambda: lambdaInvoker(new LambdaClient({ region: 'ap-northeast-2' })),
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

  it('finds the queue by name and receives at most 10 at a time, hidden for the visibility timeout', async () => {
    for (let n = 1; n <= 12; n++) sqs.add(record(subscriptionEvent(n)));
    await run();
    expect(sqs.client.commandCalls(GetQueueUrlCommand)[0]!.args[0].input).toEqual({ QueueName: QUEUE });
    const receives = sqs.client.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input);
    // 10, then the last 2, then an empty answer ends the run.
    expect(receives.map((input) => input.MaxNumberOfMessages)).toEqual([10, 10, 10]);
    expect(receives[0]).toMatchObject({ VisibilityTimeout: 300, QueueUrl: QUEUE_URL });
    expect(sqs.client.commandCalls(DeleteMessageCommand)).toHaveLength(12);
  });

  it('dry run lists and changes nothing', async () => {
    for (let n = 1; n <= 3; n++) sqs.add(record(subscriptionEvent(n)));
    const { summary, reports } = await run({ dryRun: true });
    expect(summary).toEqual({ received: 3, redriven: 0, listed: 3, skipped: 0 });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.client.commandCalls(DeleteMessageCommand)).toHaveLength(0);
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

  it('fails on a missing queue with the SQS error', async () => {
    await expect(queueUrlOf(sqsClient, 'logpipe-dev-nope-failures')).rejects.toThrow(QueueDoesNotExist);
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
