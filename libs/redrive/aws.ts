import type { LambdaClient } from '@aws-sdk/client-lambda';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { InvokePort, QueueMessage, QueuePort } from './redrive';

/**
 * The AWS side of the redrive. Lambda through @aws-sdk/client-lambda. SQS through its JSON
 * protocol (`X-Amz-Target: AmazonSQS.<Action>`, SigV4 service `sqs`) with the project's signer
 * and fetch, because @aws-sdk/client-sqs is not a dependency of this project; the three calls
 * used here are small and stable. With @aws-sdk/client-sqs installed, an adapter over SQSClient
 * can implement QueuePort instead.
 */

export class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SqsError';
  }
}

export interface SqsApiOptions {
  region: string;
  /** Default `https://sqs.<region>.amazonaws.com`. */
  endpoint?: string;
  credentials?: AwsCredentialIdentityProvider;
  fetch?: typeof fetch;
}

export type SqsCall = (action: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

async function defaultCredentials(): Promise<AwsCredentialIdentityProvider> {
  const { defaultProvider } = await import('@aws-sdk/credential-provider-node');
  return defaultProvider();
}

/** One signed SQS JSON-protocol call. */
export function sqsApi(options: SqsApiOptions): SqsCall {
  const endpoint = new URL(options.endpoint ?? `https://sqs.${options.region}.amazonaws.com`);
  const doFetch = options.fetch ?? fetch;
  let signer: Promise<SignatureV4> | undefined;
  const getSigner = () =>
    (signer ??= (async () =>
      new SignatureV4({
        credentials: options.credentials ?? (await defaultCredentials()),
        region: options.region,
        service: 'sqs',
        sha256: Hash.bind(null, 'sha256'),
      }))());
  return async (action, input) => {
    const body = JSON.stringify(input);
    const signed = await (
      await getSigner()
    ).sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      port: endpoint.port ? Number(endpoint.port) : undefined,
      path: endpoint.pathname,
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `AmazonSQS.${action}`,
      },
      body,
    });
    const response = await doFetch(endpoint, { method: 'POST', headers: signed.headers, body });
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      throw new SqsError('InvalidResponse', `${action}: HTTP ${response.status}, not JSON`, response.status);
    }
    if (!response.ok) {
      const type = String(json.__type ?? json.code ?? 'Error');
      throw new SqsError(
        type.split('#').pop()!,
        String(json.message ?? json.Message ?? text),
        response.status,
      );
    }
    return json;
  };
}

export async function queueUrlOf(call: SqsCall, queueName: string): Promise<string> {
  const out = await call('GetQueueUrl', { QueueName: queueName });
  if (typeof out.QueueUrl !== 'string')
    throw new SqsError('InvalidResponse', 'GetQueueUrl: no QueueUrl', 200);
  return out.QueueUrl;
}

export function sqsQueue(call: SqsCall, queueUrl: string): QueuePort {
  return {
    async receive(max, visibilityTimeoutSeconds) {
      const out = await call('ReceiveMessage', {
        QueueUrl: queueUrl,
        MaxNumberOfMessages: max,
        VisibilityTimeout: visibilityTimeoutSeconds,
        WaitTimeSeconds: 1,
      });
      const messages = Array.isArray(out.Messages) ? (out.Messages as Record<string, unknown>[]) : [];
      return messages.map((m): QueueMessage => ({
        messageId: String(m.MessageId),
        receiptHandle: String(m.ReceiptHandle),
        body: String(m.Body ?? ''),
      }));
    },
    async delete(receiptHandle) {
      await call('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: receiptHandle });
    },
  };
}

/** Event (asynchronous) invoke; Lambda answers 202 when it queued the event. */
export function lambdaInvoker(
  client: LambdaClient,
  commands: typeof import('@aws-sdk/client-lambda'),
): InvokePort {
  return {
    async invokeAsync(functionName, payload) {
      const out = await client.send(
        new commands.InvokeCommand({
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
