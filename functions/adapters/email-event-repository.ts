/**
 * Email events on their outbox message: each delivery, bounce or complaint SES reports is kept
 * on the Lead or Confirmation item (`emailEvents`, kind and time only, no address), and a hard
 * bounce moves a SENT message to `BOUNCED` in the outbox index, where `leads list --status
 * BOUNCED` finds it.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EmailEventEntry } from '#core/email-events';
import type { EmailEventStore, OutboxMessageRef } from '#core/ports';
import { outboxKeys } from '#functions/table-schema';
import { isConditionalCheckFailed, type TableRef } from './dynamo';
import { outboxItemKey } from './outbox-repository';

/** A message keeps at most this many events (a reminder and a few retries' worth). */
export const MAX_EVENTS_PER_MESSAGE = 50;

export type EventRef = OutboxMessageRef;

export class EmailEventRepository implements EmailEventStore {
  constructor(private readonly table: TableRef) {}

  /** Appends an event to its message; false when the message is gone (erased) or full. */
  async record(ref: EventRef, entry: EmailEventEntry): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(ref),
          UpdateExpression: 'SET emailEvents = list_append(if_not_exists(emailEvents, :empty), :entry), lastEmailEvent = :type',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(emailEvents) OR size(emailEvents) < :max)',
          ExpressionAttributeValues: { ':empty': [], ':entry': [entry], ':type': entry.type, ':max': MAX_EVENTS_PER_MESSAGE },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /**
   * Marks a SENT message BOUNCED (hard bounce). False when it is not SENT (already bounced, or
   * erased): a replayed event changes nothing.
   */
  async markBounced(ref: EventRef, now: Date): Promise<boolean> {
    const updatedAt = now.toISOString();
    const keys = outboxKeys('BOUNCED', updatedAt, ref.id);
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(ref),
          UpdateExpression: 'SET #status = :bounced, updatedAt = :now, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk, lastError = :reason',
          ConditionExpression: 'attribute_exists(PK) AND #status = :sent',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':bounced': 'BOUNCED',
            ':sent': 'SENT',
            ':now': updatedAt,
            ':gsi1pk': keys.GSI1PK,
            ':gsi1sk': keys.GSI1SK,
            ':reason': 'hard bounce reported by SES',
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
