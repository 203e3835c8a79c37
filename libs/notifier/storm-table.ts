import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { AppError } from '../runtime/errors';
import { alarmLockCheck, ledgerExpiresAt, LedgerLockLostError, type LedgerClient } from './ledger-table';
import type { StormMember } from './storm-plan';

/**
 * A channel's minute in the alarm ledger (same table, partition `storm#<channel>#<minute>`, item
 * `head`, which also holds the summary's lock as an alarm's head does): `memberCount`, one
 * attribute `m_<id>` per listed alarm (its rank, name, time and what its line shows), the
 * summary's `summaryTs` and `summaryStartedAt`, and `summaryDigest` (what Slack shows now).
 * Joining is a conditional write, so concurrent deliveries agree on every alarm's rank and a
 * redelivery keeps the rank it had.
 */

const HEAD = 'head';
/** Tries of a line's write that conflicts with other writes to the minute's item. */
const CONFLICT_TRIES = 6;

export interface StormItem {
  members: StormMember[];
  memberCount: number;
  summaryTs?: string;
  summaryStartedAt?: number;
  summaryDigest?: string;
}

export class StormLedger {
  constructor(
    private readonly client: LedgerClient,
    private readonly table: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private expiresAt(): AttributeValue {
    return ledgerExpiresAt(this.now());
  }

  /**
   * Lists the alarm in the minute and returns its rank; a repeat finds the rank it had. The rank
   * is written with the count in one conditional write (the count it read must still hold), so
   * two deliveries never share a rank; a lost race reads again and retries.
   */
  async join(key: string, member: Omit<StormMember, 'rank'>): Promise<number> {
    const { UpdateItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    for (;;) {
      const item = await this.read(key);
      const found = item.members.find((m) => m.id === member.id);
      if (found !== undefined) return found.rank;
      const rank = item.memberCount + 1;
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.table,
            Key: { alarm: { S: key }, item: { S: HEAD } },
            UpdateExpression: 'SET memberCount = :rank, #m = :member, expiresAt = :expires',
            ConditionExpression:
              'attribute_not_exists(#m) AND (memberCount = :count OR attribute_not_exists(memberCount))',
            ExpressionAttributeNames: { '#m': `m_${member.id}` },
            ExpressionAttributeValues: {
              ':count': { N: String(item.memberCount) },
              ':rank': { N: String(rank) },
              ':member': {
                M: {
                  rank: { N: String(rank) },
                  name: { S: member.name },
                  time: { S: member.time },
                  shown: { S: member.shown },
                },
              },
              ':expires': this.expiresAt(),
            },
          }),
        );
        return rank;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  /** The minute's item, strongly consistent. */
  async read(key: string): Promise<StormItem> {
    const { QueryCommand } = await import('@aws-sdk/client-dynamodb');
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table,
        ConsistentRead: true,
        KeyConditionExpression: 'alarm = :key AND #item = :head',
        ExpressionAttributeNames: { '#item': 'item' },
        ExpressionAttributeValues: { ':key': { S: key }, ':head': { S: HEAD } },
      }),
    );
    const item = result.Items?.[0] ?? {};
    const members: StormMember[] = [];
    for (const [name, value] of Object.entries(item)) {
      if (!name.startsWith('m_') || value.M === undefined) continue;
      members.push({
        id: name.slice(2),
        rank: Number(value.M.rank?.N ?? 0),
        name: value.M.name?.S ?? '',
        time: value.M.time?.S ?? '',
        shown: value.M.shown?.S ?? 'open',
      });
    }
    return {
      members,
      memberCount: item.memberCount?.N !== undefined ? Number(item.memberCount.N) : 0,
      ...(item.summaryTs?.S ? { summaryTs: item.summaryTs.S } : {}),
      ...(item.summaryStartedAt?.N ? { summaryStartedAt: Number(item.summaryStartedAt.N) } : {}),
      ...(item.summaryDigest?.S ? { summaryDigest: item.summaryDigest.S } : {}),
    };
  }

  /**
   * What a member's line shows, written only while `alarmToken` holds the alarm's lock (as every
   * write about the alarm): an invocation that lost it cannot turn a green line red again.
   */
  async setShown(key: string, memberId: string, alarmArn: string, alarmToken: string, shown: string) {
    const { TransactWriteItemsCommand, TransactionCanceledException } =
      await import('@aws-sdk/client-dynamodb');
    for (let tries = 1; ; tries += 1) {
      try {
        await this.client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              alarmLockCheck(this.table, alarmArn, alarmToken),
              {
                Update: {
                  TableName: this.table,
                  Key: { alarm: { S: key }, item: { S: HEAD } },
                  UpdateExpression: 'SET #m.#shown = :shown',
                  ConditionExpression: 'attribute_exists(#m)',
                  ExpressionAttributeNames: { '#m': `m_${memberId}`, '#shown': 'shown' },
                  ExpressionAttributeValues: { ':shown': { S: shown } },
                },
              },
            ],
          }),
        );
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        const [lock, line] = (error.CancellationReasons ?? []).map((r) => r.Code);
        if (lock === 'ConditionalCheckFailed')
          throw new LedgerLockLostError(`the lock on ${alarmArn} was taken by another invocation`, {
            cause: error,
          });
        if (line === 'ConditionalCheckFailed')
          throw new AppError(`${key} does not list ${alarmArn}`, { cause: error });
        // The minute's item is written by every alarm of the storm: a transaction conflicts with
        // the others' writes now and then (TransactionConflict). Tried again, then left to Lambda.
        if (tries >= CONFLICT_TRIES) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** tries * Math.random()));
      }
    }
  }

  /** Sets the summary's fields, only while `token` holds the minute's lock (null removes one). */
  async writeSummary(
    key: string,
    token: string,
    fields: { summaryTs?: string; summaryStartedAt?: number | null; summaryDigest?: string },
  ): Promise<void> {
    const { UpdateItemCommand, ConditionalCheckFailedException } = await import('@aws-sdk/client-dynamodb');
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, AttributeValue> = { ':token': { S: token } };
    if (fields.summaryTs !== undefined) {
      set.push('summaryTs = :ts');
      values[':ts'] = { S: fields.summaryTs };
    }
    if (fields.summaryDigest !== undefined) {
      set.push('summaryDigest = :digest');
      values[':digest'] = { S: fields.summaryDigest };
    }
    if (typeof fields.summaryStartedAt === 'number') {
      set.push('summaryStartedAt = :started');
      values[':started'] = { N: String(fields.summaryStartedAt) };
    } else if (fields.summaryStartedAt === null) remove.push('summaryStartedAt');
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { alarm: { S: key }, item: { S: HEAD } },
          UpdateExpression: `${set.length > 0 ? `SET ${set.join(', ')}` : ''}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          ConditionExpression: 'lockToken = :token',
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new LedgerLockLostError(`the lock on ${key} was taken by another invocation`, { cause: error });
      throw error;
    }
  }
}
