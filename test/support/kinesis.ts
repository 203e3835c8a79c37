import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';

export const STREAM_ARN = 'arn:aws:kinesis:ap-northeast-2:123456789012:stream/infra-dev-kinesis-01';

/** A 56-digit sequence number like Kinesis's, increasing with n. */
/** The `_id` of line `line` of record `n` (records of these tests come from shard 0). */
export function documentId(n: number, line = 0): string {
  return `shardId-000000000000-${sequenceNumber(n)}-${line}`;
}

export function sequenceNumber(n: number): string {
  return `4959033827149025660855969253836157109592157598${String(n).padStart(10, '0')}`;
}

/** One record as Lambda's event source mapping hands it over; `data` is the record's bytes. */
export function kinesisRecord(
  data: Buffer | string,
  n: number,
  partitionKey = 'container-1',
): KinesisStreamRecord {
  const seq = sequenceNumber(n);
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: seq,
      data: Buffer.from(data).toString('base64'),
      approximateArrivalTimestamp: 1732122743.505 + n,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `shardId-000000000000:${seq}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: 'arn:aws:iam::123456789012:role/logpipe-forwarder',
    awsRegion: 'ap-northeast-2',
    eventSourceARN: STREAM_ARN,
  };
}

export function kinesisEvent(datas: Array<Buffer | string>): KinesisStreamEvent {
  return { Records: datas.map((data, n) => kinesisRecord(data, n)) };
}

/** What Fluent Bit's kinesis output writes for one log record with append_newline on. */
export function fluentBitLine(record: Record<string, unknown>): string {
  return JSON.stringify(record) + '\n';
}

// Real-format lines: the Apache documentation's combined-log example and a web API's request/response logs.
export const ACCESS_LINE =
  '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"';
export const API_REQUEST_LINE = '[2020-10-20 03:56:08 GMT+0900 (GMT)] GET /api/v1/x {"a":1}';
export const API_RESPONSE_LINE = '[2020-10-20 03:56:08 GMT+0900 (GMT)] 200 SUCCESS /api/v1/x {"a":1}';

/** Fields Fluent Bit's `aws` filter adds to every record. */
export const EC2_METADATA = {
  az: 'ap-northeast-2a',
  ec2_instance_id: 'i-0123456789abcdef0',
  ec2_instance_type: 'm5.large',
  private_ip: '10.0.1.23',
};
