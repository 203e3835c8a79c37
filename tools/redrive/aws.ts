import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { InvokePort, QueueMessage, QueuePort } from './redrive';

/** The AWS side of the redrive (tools/redrive.ts): SQS for the queue, Lambda for the invoke. */

export async function queueUrlOf(client: SQSClient, queueName: string): Promise<string> {
  const out = await client.send(new GetQueueUrlCommand({ QueueName: queueName }));
  if (!out.QueueUrl) throw new Error(`GetQueueUrl ${queueName}: no QueueUrl in the answer`);
  return out.QueueUrl;
}

export function sqsQueue(client: SQSClient, queueUrl: string): QueuePort {
  return {
    async receive(max, visibilityTimeoutSeconds) {
      const out = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          VisibilityTimeout: visibilityTimeoutSeconds,
          WaitTimeSeconds: 1,
        }),
      );
      return (out.Messages ?? []).map((m): QueueMessage => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
      }));
    },
    async delete(receiptHandle) {
      await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
    },
  };
}

/** Event (asynchronous) invoke; Lambda answers 202 when it queued the event. */
export function lambdaInvoker(client: LambdaClient): InvokePort {
  return {
    async invokeAsync(functionName, payload) {
      const out = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'Event',
          Payload: Buffer.from(payload),
        }),
      );
      if (out.StatusCode !== 202)
        throw new Error(`Invoke of ${functionName} answered ${out.StatusCode ?? 'no status'}, expected 202`);
    },
  };
}
