/**
 * The whole event-driven path on DynamoDB Local: a referral written by the API's repository,
 * the local stream poller applying the manifest's mapping settings, the delivery handler, SES
 * (the emulator) failing on purpose, and the reconciler delivering what the stream did not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { documentClient } from '#adapters/dynamo';
import { createDeliverLeadsHandler } from '#functions/deliver-leads/stream-handler';
import { createReconcileLeadsHandler } from '#functions/reconcile-leads/reconciler';
import { STREAM_GRACE_SECONDS } from '#core/delivery';
import { DUE_PARTITION, dueKeys, itemKeys, outboxKeys } from '#functions/table-schema';
import { startStreamPoller, type StreamPoller } from '#local/stream-poller';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import {
  deliverLeadsSpec,
  deliveryConfig,
  eventually,
  failingSes,
  inboxFor,
  outboxOf,
  testDelivery,
  throttlingError,
  uniqueAddress,
  writeReferral,
} from './delivery-fixtures';

// The poller reports retried batches; the assertions below are about their outcome.
const quiet = () => undefined;
let tableName: string;
let poller: StreamPoller | undefined;

beforeAll(async () => {
  tableName = await createTestTable();
});

afterEach(async () => {
  await poller?.stop();
  poller = undefined;
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

function aReferralToTwoTrials() {
  const addresses = { siteA: uniqueAddress('site-a'), siteB: uniqueAddress('site-b'), patient: uniqueAddress('patient') };
  const write = () =>
    writeReferral(tableName, { name: 'Pat Example', email: addresses.patient }, [
      { trialId: 'NCT00000001', recipientEmail: addresses.siteA },
      { trialId: 'NCT00000002', recipientEmail: addresses.siteB },
    ]);
  return { addresses, write };
}

async function statusesOf(referral: { leadIds: string[] }): Promise<(string | undefined)[]> {
  const outbox = outboxOf(tableName);
  return Promise.all(referral.leadIds.map(async (id) => (await outbox.get({ kind: 'LEAD', id }))?.summary.status));
}

describe('the local stream poller with the delivery handler', () => {
  it('delivers a new referral to both sites and the patient', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);
    poller = await startStreamPoller({ tableName, spec: deliverLeadsSpec, handler, initialPosition: 'LATEST', log: quiet });

    await write();

    await eventually('three emails arrive', async () => (await inboxFor(...Object.values(addresses))).length === 3);
    expect((await inboxFor(addresses.siteA)).length).toBe(1);
    expect((await inboxFor(addresses.siteB)).length).toBe(1);
    expect((await inboxFor(addresses.patient)).length).toBe(1);
  });

  it('ends with every lead SENT exactly once when SES throttles the first sends, the reconciler retrying when due', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const ses = failingSes((_command, call) => (call <= 4 ? throttlingError() : undefined));
    const { delivery, metrics } = testDelivery(deliveryConfig(tableName), { ses });
    poller = await startStreamPoller({
      tableName,
      spec: deliverLeadsSpec,
      handler: createDeliverLeadsHandler(delivery),
      initialPosition: 'LATEST',
      log: quiet,
    });

    const referral = await write();
    await eventually('the stream has tried all three', async () => ses.calls >= 3);
    // Each reconciler run is an hour later than the last, so every rescheduled attempt is due.
    let hoursOn = 0;
    const clock = () => new Date(Date.now() + hoursOn * 3_600_000);
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName), { ses, now: clock }).delivery, {
      now: clock,
    });
    await eventually('both leads are SENT and the confirmation has arrived', async () => {
      hoursOn += 1;
      await reconcile({});
      return (
        (await statusesOf(referral)).every((status) => status === 'SENT') && (await inboxFor(addresses.patient)).length === 1
      );
    });

    expect((await inboxFor(addresses.siteA)).length).toBe(1);
    expect((await inboxFor(addresses.siteB)).length).toBe(1);
    expect(metrics.count('MessagesRetried')).toBeGreaterThan(0);
  });
});

describe('the local stream poller on its own', () => {
  it('hands over only new leads and confirmations, never other items or status writes', async () => {
    const received: DynamoDBRecord[] = [];
    const { addresses, write } = aReferralToTwoTrials();
    const delivering = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);
    const handler = async (event: DynamoDBStreamEvent, context: Context) => {
      received.push(...event.Records);
      return delivering(event, context);
    };
    poller = await startStreamPoller({ tableName, spec: deliverLeadsSpec, handler, initialPosition: 'LATEST', log: quiet });

    await write();
    await eventually('three emails arrive', async () => (await inboxFor(...Object.values(addresses))).length === 3);

    expect(received.map((record) => [record.eventName, record.dynamodb?.NewImage?.entityType?.S]).sort()).toEqual([
      ['INSERT', 'CONFIRMATION'],
      ['INSERT', 'LEAD'],
      ['INSERT', 'LEAD'],
    ]);
  });

  it("sends a record that keeps failing to the dead-letter log after the manifest's retry attempts, then carries on", async () => {
    const poison = aReferralToTwoTrials();
    const next = aReferralToTwoTrials();
    const attemptsOnPoison: string[] = [];
    const handledAfterwards: string[] = [];
    const deadLetters: unknown[] = [];
    const isPoison = (record: DynamoDBRecord) => JSON.stringify(record.dynamodb?.NewImage).includes(poison.addresses.siteA);
    const handler = async (event: DynamoDBStreamEvent) => {
      for (const record of event.Records) {
        if (isPoison(record)) attemptsOnPoison.push(record.dynamodb!.SequenceNumber!);
        else if (JSON.stringify(record.dynamodb?.NewImage).includes(next.addresses.patient))
          handledAfterwards.push(record.eventID!);
      }
      return {
        batchItemFailures: event.Records.filter(isPoison).map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber! })),
      };
    };
    const log = (level: string, message: string, fields?: Record<string, unknown>) => {
      if (message.includes('dead-letter')) deadLetters.push(fields?.sequenceNumbers);
    };
    poller = await startStreamPoller({
      tableName,
      spec: deliverLeadsSpec,
      handler,
      initialPosition: 'LATEST',
      log,
      pollIntervalMs: 50,
    });

    await poison.write();
    await eventually('the poison record is dead-lettered', async () => deadLetters.length > 0);
    await next.write();
    await eventually('the next referral is handled', async () => handledAfterwards.length === 3);

    expect(new Set(attemptsOnPoison).size).toBe(1);
    expect(attemptsOnPoison).toHaveLength(deliverLeadsSpec.trigger.retryAttempts + 1);
    expect(deadLetters[0]).toEqual(expect.arrayContaining([attemptsOnPoison[0]]));
  });
});

describe('the reconciler', () => {
  it('delivers a referral whose stream records were lost', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const referral = await write(); // no poller: the stream records are never read
    const afterTheStreamGrace = () => new Date(Date.now() + (STREAM_GRACE_SECONDS + 1) * 1000);
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery, { now: afterTheStreamGrace });

    await reconcile({});

    expect(await statusesOf(referral)).toEqual(['SENT', 'SENT']);
    expect((await inboxFor(...Object.values(addresses))).length).toBe(3);
  });

  it('leaves a fresh PENDING lead to the stream', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const referral = await write();
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await reconcile({});

    expect(await statusesOf(referral)).toEqual(['PENDING', 'PENDING']);
    expect(await inboxFor(...Object.values(addresses))).toEqual([]);
  });

  it('re-drives a lead whose SENDING claim went stale', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const referral = await write();
    const staleLeadId = referral.leadIds[0]!;
    const claimedAt = new Date(Date.now() - 3600_000).toISOString();
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName,
        Key: itemKeys.lead(staleLeadId),
        // As a claim does: SENDING in the outbox index, and due in the due index when it goes stale.
        UpdateExpression:
          'SET #status = :sending, claimedAt = :at, attempts = :one, GSI1PK = :pk, GSI1SK = :sk, GSI2PK = :duePk, GSI2SK = :due',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'SENDING',
          ':at': claimedAt,
          ':one': 1,
          ...Object.fromEntries(
            Object.entries(outboxKeys('SENDING', claimedAt, staleLeadId)).map(([name, value]) => [
              name === 'GSI1PK' ? ':pk' : ':sk',
              value,
            ]),
          ),
          // Due when the claim went stale (an hour ago plus the stale time).
          ':duePk': DUE_PARTITION,
          ':due': dueKeys(new Date(Date.parse(claimedAt) + 300_000).toISOString(), staleLeadId).GSI2SK,
        },
      }),
    );
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await reconcile({});

    expect((await outboxOf(tableName).get({ kind: 'LEAD', id: staleLeadId }))?.summary).toMatchObject({
      status: 'SENT',
      attempts: 2,
    });
    expect((await inboxFor(addresses.siteA)).length).toBe(1);
  });
});
