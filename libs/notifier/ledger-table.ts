import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AppError } from '../runtime/errors';
import type { LedgerChange } from './ledger-plan';

/**
 * The alarm ledger, one DynamoDB table (resources/notifier.yml, docs/notifier.md "The alarm
 * ledger"): partition key `alarm` (the alarm ARN; it names the account), sort key `item`:
 * - `head`: the alarm's lock (`lockToken`, `lockUntil`), its name and account, `firstSeen`.
 * - `change#<StateChangeTime>`: one state change, its notification, and its post or reply.
 * Every item expires (`expiresAt`, TTL) 30 days after it was last written (an ALARM's item
 * must outlive its episode: its OK is threaded under it however long it fired).
 * Only the invocation holding the alarm's lock talks to Slack about that alarm, and every write
 * it makes checks that it still holds the lock (a transaction with a condition check on the
 * head): an invocation that lost its lock (it ran past the time it claimed) cannot record a
 * post, and deletes the one it made.
 */

/** The ledger refused a write because another invocation holds the alarm now. */
export class LedgerLockLostError extends AppError {}

/** Only what the ledger calls; tests pass moto-backed clients. */
export type LedgerClient = Pick<DynamoDBClient, 'send'>;

const HEAD = 'head';

/**
 * The transaction item that makes a write conditional on `token` still holding the alarm's lock
 * (its head item): every write about an alarm (its changes, its line in a storm summary) uses it.
 */
export function alarmLockCheck(table: string, alarm: string, token: string) {
  return {
    ConditionCheck: {
      TableName: table,
      Key: { alarm: { S: alarm }, item: { S: HEAD } },
      ConditionExpression: 'lockToken = :token',
      ExpressionAttributeValues: { ':token': { S: token } },
    },
  };
}
const changeKey = (time: string) => `change#${time}`;
const KEEP_SECONDS = 30 * 86_400;

/** When an item of the ledger's table (an alarm's changes or a channel's storm minute) expires (TTL). */
export const ledgerExpiresAt = (now: Date): AttributeValue => ({
  N: String(Math.floor(now.getTime() / 1000) + KEEP_SECONDS),
});

const STRING_FIELDS = [
  'state',
  'oldState',
  'messageId',
  'notification',
  'subject',
  'postTs',
  'postChannel',
  'postMessage',
  'shown',
  'summary',
  'replyTs',
  'replyParent',
] as const;
const NUMBER_FIELDS = ['postStartedAt', 'replyStartedAt'] as const;

type Fields = Partial<Omit<LedgerChange, 'time'>>;
/** Fields to set; null removes one (a reply moved away from a post). */
type FieldChanges = { [K in keyof Fields]?: Fields[K] | null };

function toItem(fields: Fields): Record<string, AttributeValue> {
  const item: Record<string, AttributeValue> = {};
  for (const name of STRING_FIELDS) {
    const value = fields[name];
    if (typeof value === 'string' && value !== '') item[name] = { S: value };
  }
  for (const name of NUMBER_FIELDS) {
    const value = fields[name];
    if (typeof value === 'number') item[name] = { N: String(value) };
  }
  return item;
}

function fromItem(item: Record<string, AttributeValue>): LedgerChange {
  const change: LedgerChange = { time: (item.item?.S ?? '').slice('change#'.length), state: '' };
  const writable = change as unknown as Record<string, unknown>;
  for (const name of STRING_FIELDS) if (item[name]?.S !== undefined) writable[name] = item[name].S;
  for (const name of NUMBER_FIELDS) if (item[name]?.N !== undefined) writable[name] = Number(item[name].N);
  return change;
}

export class AlarmLedger {
  constructor(
    private readonly client: LedgerClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiresAt(): AttributeValue {
    return ledgerExpiresAt(this.now());
  }

  /** Records a state change; 'repeat' when the ledger had it already (the same change again). */
  async record(alarm: string, change: LedgerChange): Promise<'new' | 'repeat'> {
    const { PutItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    const { time, ...fields } = change;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            alarm: { S: alarm },
            item: { S: changeKey(time) },
            ...toItem(fields),
            expiresAt: this.expiresAt(),
          },
          ConditionExpression: 'attribute_not_exists(#item)',
          ExpressionAttributeNames: { '#item': 'item' },
        }),
      );
      return 'new';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'repeat';
      throw error;
    }
  }

  /**
   * Takes the alarm's lock until `untilMs` unless another invocation holds it. `firstSeen` is
   * true when the ledger had never heard of this alarm (a stage upgraded to the ledger).
   */
  async lock(
    alarm: string,
    token: string,
    untilMs: number,
    about: { name: string; account?: string },
  ): Promise<{ acquired: boolean; firstSeen: boolean }> {
    const { UpdateItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    const nowMs = this.now().getTime();
    try {
      const result = await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { alarm: { S: alarm }, item: { S: HEAD } },
          UpdateExpression:
            'SET lockToken = :token, lockUntil = :until, alarmName = :name, account = :account, expiresAt = :expires, firstSeen = if_not_exists(firstSeen, :now)',
          ConditionExpression: 'attribute_not_exists(lockUntil) OR lockUntil < :now',
          ExpressionAttributeValues: {
            ':token': { S: token },
            ':until': { N: String(untilMs) },
            ':name': { S: about.name },
            ':account': { S: about.account ?? 'unknown' },
            ':expires': this.expiresAt(),
            ':now': { N: String(nowMs) },
          },
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return { acquired: true, firstSeen: result.Attributes?.firstSeen === undefined };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { acquired: false, firstSeen: false };
      throw error;
    }
  }

  /** Gives the lock back (if it is still ours: an expired one may be someone else's now). */
  async release(alarm: string, token: string): Promise<void> {
    const { UpdateItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { alarm: { S: alarm }, item: { S: HEAD } },
          UpdateExpression: 'REMOVE lockToken, lockUntil',
          ConditionExpression: 'lockToken = :token',
          ExpressionAttributeValues: { ':token': { S: token } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** The alarm's state changes from `since` on (ISO), oldest first; strongly consistent. */
  async changes(alarm: string, since: string): Promise<LedgerChange[]> {
    const found: LedgerChange[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.changeItems(alarm, changeKey(since), 'change#~', { start });
      for (const item of page.Items ?? []) found.push(fromItem(item));
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    // The last change before the window too: an OK ends an ALARM however long ago it began.
    const before = await this.changeItems(alarm, 'change#', changeKey(since), {
      newestFirst: true,
      limit: 2,
    });
    const earlier = (before.Items ?? []).map(fromItem).find((c) => c.time < since);
    return earlier ? [earlier, ...found] : found;
  }

  /** One page of the alarm's change items with sort keys from `from` to `to`; strongly consistent. */
  private async changeItems(
    alarm: string,
    from: string,
    to: string,
    page: { start?: Record<string, AttributeValue>; newestFirst?: boolean; limit?: number },
  ) {
    const { QueryCommand } = await import('@aws-sdk/client-dynamodb');
    return this.client.send(
      new QueryCommand({
        TableName: this.table,
        ConsistentRead: true,
        KeyConditionExpression: 'alarm = :alarm AND #item BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#item': 'item' },
        ExpressionAttributeValues: { ':alarm': { S: alarm }, ':from': { S: from }, ':to': { S: to } },
        ScanIndexForward: !page.newestFirst,
        ...(page.limit !== undefined ? { Limit: page.limit } : {}),
        ...(page.start ? { ExclusiveStartKey: page.start } : {}),
      }),
    );
  }

  /** Sets fields of one change, only while `token` holds the alarm's lock. */
  async write(alarm: string, token: string, time: string, fields: FieldChanges): Promise<void> {
    const { TransactWriteItemsCommand, TransactionCanceledException } =
      await import('@aws-sdk/client-dynamodb');
    const values = toItem(fields as Fields);
    const names = Object.keys(values);
    const removed = Object.keys(fields).filter((name) => fields[name as keyof Fields] === null);
    const remove = removed.length > 0 ? ` REMOVE ${removed.map((_, i) => `#r${i}`).join(', ')}` : '';
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            alarmLockCheck(this.table, alarm, token),
            {
              Update: {
                TableName: this.table,
                Key: { alarm: { S: alarm }, item: { S: changeKey(time) } },
                UpdateExpression: `SET ${names.map((_, i) => `#f${i} = :v${i}, `).join('')}expiresAt = :expires${remove}`,
                ExpressionAttributeNames: {
                  ...Object.fromEntries(names.map((n, i) => [`#f${i}`, n])),
                  ...Object.fromEntries(removed.map((n, i) => [`#r${i}`, n])),
                },
                ExpressionAttributeValues: {
                  ...Object.fromEntries(names.map((n, i) => [`:v${i}`, values[n] as AttributeValue])),
                  ':expires': this.expiresAt(),
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (error instanceof TransactionCanceledException)
        throw new LedgerLockLostError(`the lock on ${alarm} was taken by another invocation`, {
          cause: error,
        });
      throw error;
    }
  }
}
