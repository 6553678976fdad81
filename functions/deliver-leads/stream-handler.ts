/**
 * The lead-delivery stream handler: the table's stream (filtered by the event source mapping to
 * inserts of Lead and Confirmation items, see `NEW_DELIVERY_FILTER` in the manifest) invokes it
 * with batches of records. Each record is parsed, then delivered through the shared lifecycle.
 * A send that fails transiently is not reported back to the stream: delivery has already
 * scheduled its next attempt on the item (backoff), and the reconciler owns retries, so an
 * outage does not burn attempts on the stream's immediate retries. Only a table error (the
 * claim or the outcome could not be written) fails the record, so the stream retries it
 * (bounded, then the DLQ) while the rest of the batch is unaffected.
 */
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import * as z from '#core/zod';
import type { OutboxRef } from '#core/delivery';
import type { OutboxDelivery } from '#adapters/outbox-delivery';

const InsertRecord = z.object({
  eventName: z.literal('INSERT'),
  dynamodb: z.object({ NewImage: z.record(z.string(), z.unknown()) }),
});

const NewOutboxImage = z.discriminatedUnion('entityType', [
  z.object({ entityType: z.literal('LEAD'), leadId: z.string().check(z.minLength(1)) }),
  z.object({ entityType: z.literal('CONFIRMATION'), confirmationId: z.string().check(z.minLength(1)) }),
]);

/**
 * The outbound message a stream record announces, or undefined for any other record (the
 * mapping's filter should not let one through, but a stray record is ignored, not retried).
 */
export function outboxRefFromRecord(record: DynamoDBRecord): OutboxRef | undefined {
  const insert = InsertRecord.safeParse(record);
  if (!insert.success) return undefined;
  const image = NewOutboxImage.safeParse(unmarshall(insert.data.dynamodb.NewImage as Record<string, AttributeValue>));
  if (!image.success) return undefined;
  return image.data.entityType === 'LEAD'
    ? { kind: 'LEAD', id: image.data.leadId }
    : { kind: 'CONFIRMATION', id: image.data.confirmationId };
}

export type DeliverLeadsHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the stream handler around a delivery service (production, local runtime or a test). */
export function createDeliverLeadsHandler(delivery: OutboxDelivery): DeliverLeadsHandler {
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const deliverRecord = async (record: DynamoDBRecord): Promise<void> => {
    const ref = outboxRefFromRecord(record);
    if (!ref) {
      delivery.logger.warn('Ignored a stream record that is not a new lead or confirmation', {
        eventId: record.eventID,
        eventName: record.eventName,
      });
      return;
    }
    await delivery.deliver(ref);
  };

  return async (event, context) => {
    try {
      // A batch whose every record fails is thrown whole, which the stream retries the same way.
      return await processPartialResponse(event, deliverRecord, processor, { context });
    } finally {
      delivery.publishMetrics();
    }
  };
}
