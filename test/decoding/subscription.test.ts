import { deflateSync, gzipSync } from 'node:zlib';
import { decodeSubscriptionEvent, DecodeError } from '../../libs/forwarding/decoding/subscription';
import { subscriptionEvent } from '../support/subscription';
import { fixture as loadFixture } from '../support/fixtures';

const fixture = (name: string): unknown => loadFixture('forwarder', name);

const dataMessage = () => ({
  messageType: 'DATA_MESSAGE',
  owner: '111122223333',
  logGroup: '/aws/lambda/orders',
  logStream: '2026/11/29/[$LATEST]0123',
  subscriptionFilters: ['logpipe-prod-account'],
  logEvents: [
    {
      id: '38627627955484818852768098168489833298904231245367279618',
      timestamp: 1732122743505,
      message: 'hello',
    },
  ],
});

function decodeError(event: unknown): DecodeError {
  try {
    decodeSubscriptionEvent(event);
  } catch (error) {
    if (error instanceof DecodeError) return error;
    throw error;
  }
  throw new Error('expected a DecodeError');
}

describe('decodeSubscriptionEvent', () => {
  it('decodes a real subscription payload of Lambda console lines', () => {
    const data = decodeSubscriptionEvent(fixture('lambda-console-lines.json'));
    expect(data.messageType).toBe('DATA_MESSAGE');
    expect(data.owner).toBe('376129852049');
    expect(data.logGroup).toBe('/aws/lambda/getIncorrectLists');
    expect(data.logEvents).toHaveLength(1);
    expect(data.logEvents[0]!.id).toBe('38627627955484818852768098168489833298904231245367279618');
    expect(data.logEvents[0]!.extractedFields?.request_id).toBe('830e95c2-4983-4e72-99f1-1aa410a0ffb0');
  });

  it('decodes a zlib-framed payload of an account-level policy, keeping its policyLevel', () => {
    const payload = { ...dataMessage(), policyLevel: 'ACCOUNT_LEVEL_POLICY' };
    const data = decodeSubscriptionEvent({
      awslogs: { data: deflateSync(JSON.stringify(payload)).toString('base64') },
    });
    expect(data).toEqual(payload);
    // The same payload gzip-framed decodes to the same thing.
    expect(
      decodeSubscriptionEvent({ awslogs: { data: gzipSync(JSON.stringify(payload)).toString('base64') } }),
    ).toEqual(data);
  });

  it('accepts a control message without the data fields', () => {
    expect(decodeSubscriptionEvent(fixture('control-message.json')).messageType).toBe('CONTROL_MESSAGE');
  });

  it.each([
    ['no awslogs', {}, 'event'],
    ['data not a string', { awslogs: { data: 42 } }, 'event'],
    ['invalid base64', { awslogs: { data: 'H4sI$$$$' } }, 'base64'],
    [
      'base64 of uncompressed JSON',
      { awslogs: { data: Buffer.from('{"a":1}').toString('base64') } },
      'compression',
    ],
    [
      'truncated gzip',
      { awslogs: { data: gzipSync('{"messageType":"DATA_MESSAGE"}').subarray(0, 20).toString('base64') } },
      'compression',
    ],
    [
      'truncated zlib',
      { awslogs: { data: deflateSync('{"messageType":"DATA_MESSAGE"}').subarray(0, 12).toString('base64') } },
      'compression',
    ],
    ['zlib of non-JSON', { awslogs: { data: deflateSync('not json').toString('base64') } }, 'json'],
    ['policyLevel not a string', subscriptionEvent({ ...dataMessage(), policyLevel: 7 }), 'shape'],
    ['gzip of non-JSON', { awslogs: { data: gzipSync('not json').toString('base64') } }, 'json'],
    ['JSON array', subscriptionEvent([1, 2]), 'shape'],
    ['unknown message type', subscriptionEvent({ messageType: 'OTHER' }), 'shape'],
    [
      'missing logGroup',
      subscriptionEvent({ messageType: 'DATA_MESSAGE', owner: '1', logStream: 's', logEvents: [] }),
      'shape',
    ],
    [
      'missing logEvents',
      subscriptionEvent({ messageType: 'DATA_MESSAGE', owner: '1', logGroup: 'g', logStream: 's' }),
      'shape',
    ],
  ])('%s fails with a clear error at the %s stage', (_name, event, stage) => {
    const error = decodeError(event);
    expect(error.name).toBe('DecodeError');
    expect(error.stage).toBe(stage);
    expect(error.message.startsWith(`${stage}: `)).toBe(true);
  });

  it('never puts the payload into the error message', () => {
    const secret = 'password=hunter2';
    const error = decodeError({ awslogs: { data: gzipSync(`not json ${secret}`).toString('base64') } });
    expect(error.message).not.toContain(secret);
  });

  it('stops inflating at 16 MiB: a payload past it is a compression error naming the limit', () => {
    // A DATA_MESSAGE padded with blanks to 17 MiB, gzip and zlib: a few KB each.
    const padded = JSON.stringify(dataMessage()) + ' '.repeat(17 * 1024 * 1024);
    for (const compressed of [gzipSync(padded), deflateSync(padded)]) {
      const error = decodeError({ awslogs: { data: compressed.toString('base64') } });
      expect(error.stage).toBe('compression');
      expect(error.message).toMatch(/inflates past the limit of 16777216 bytes \(16 MiB\) per payload/);
      expect((error.cause as Error).name).toBe('InflateLimitError');
    }
    // Just under the limit still decodes.
    const under = JSON.stringify(dataMessage()) + ' '.repeat(15 * 1024 * 1024);
    expect(decodeSubscriptionEvent({ awslogs: { data: gzipSync(under).toString('base64') } }).logGroup).toBe(
      '/aws/lambda/orders',
    );
  });
});
