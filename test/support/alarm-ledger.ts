import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MotoClientConfig } from './moto';

/**
 * The alarm ledger table as resources/notifier.yml declares it (keys, on-demand), created in
 * moto: the key schema is read from the template so the tests follow what is deployed.
 */
export async function createLedgerTable(
  clientConfig: MotoClientConfig,
  name: string,
): Promise<DynamoDBClient> {
  const template = readFileSync(join(__dirname, '..', '..', 'resources', 'notifier.yml'), 'utf8');
  for (const key of ['alarm', 'item'])
    if (!new RegExp(`AttributeName: ${key}\\b`).test(template))
      throw new Error(`resources/notifier.yml no longer keys the ledger by ${key}`);
  const client = new DynamoDBClient(clientConfig);
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'alarm', AttributeType: 'S' },
        { AttributeName: 'item', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'alarm', KeyType: 'HASH' },
        { AttributeName: 'item', KeyType: 'RANGE' },
      ],
    }),
  );
  return client;
}

/** An SNS alarm event for one state change of a named alarm (from the single-metric fixture). */
export function alarmEvent(change: {
  name: string;
  state: 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';
  oldState: string;
  time: string;
  messageId: string;
  account?: string;
}) {
  const fixture = JSON.parse(
    readFileSync(join(__dirname, '..', 'fixtures', 'notifier', 'single-metric-alarm.json'), 'utf8'),
  ) as { Records: { Sns: { Message: string; MessageId?: string } }[] };
  const record = fixture.Records[0];
  if (record === undefined) throw new Error('fixture without a record');
  const alarm = JSON.parse(record.Sns.Message) as Record<string, unknown>;
  const account = change.account ?? '123456789012';
  record.Sns.Message = JSON.stringify({
    ...alarm,
    AlarmName: change.name,
    AWSAccountId: account,
    AlarmArn: `arn:aws:cloudwatch:ap-northeast-2:${account}:alarm:${change.name}`,
    NewStateValue: change.state,
    OldStateValue: change.oldState,
    NewStateReason: `${change.state} at ${change.time}`,
    StateChangeTime: change.time.replace('Z', '+0000'),
  });
  record.Sns.MessageId = change.messageId;
  return fixture;
}
