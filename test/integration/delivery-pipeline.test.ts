/**
 * The whole event-driven path on DynamoDB Local: a referral written by the API's repository,
 * the local stream poller applying the catalogue's mapping settings, the delivery handler, SES
 * (the emulator) failing on purpose, and the reconciler delivering what the stream did not.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../functions/adapters/dynamo';
import { createDeliverLeadsHandler } from '../../functions/deliver-leads/stream-handler';
import { createReconcileLeadsHandler } from '../../functions/reconcile-leads/reconciler';
import { itemKeys, outboxKeys } from '../../functions/table-schema';
import { startStreamPoller, type StreamPoller } from '../../local/stream-poller';
import { createTestTable, deleteTestTable } from '../setup/table';
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
    poller = await startStreamPoller({ tableName, spec: deliverLeadsSpec, handler, initialPosition: 'LATEST' });

    await write();

    await eventually('three emails arrive', async () => (await inboxFor(...Object.values(addresses))).length === 3);
    expect((await inboxFor(addresses.siteA)).length).toBe(1);
    expect((await inboxFor(addresses.siteB)).length).toBe(1);
    expect((await inboxFor(addresses.patient)).length).toBe(1);
  });

  it('ends with every lead SENT exactly once when SES throttles the first sends', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const ses = failingSes((_command, call) => (call <= 4 ? throttlingError() : undefined));
    const { delivery, metrics } = testDelivery(deliveryConfig(tableName), { ses });
    poller = await startStreamPoller({ tableName, spec: deliverLeadsSpec, handler: createDeliverLeadsHandler(delivery), initialPosition: 'LATEST' });

    const referral = await write();

    await eventually('both leads are SENT', async () => (await statusesOf(referral)).every((status) => status === 'SENT'));
    await eventually('the confirmation arrives', async () => (await inboxFor(addresses.patient)).length === 1);
    expect((await inboxFor(addresses.siteA)).length).toBe(1);
    expect((await inboxFor(addresses.siteB)).length).toBe(1);
    expect(metrics.count('LeadsRetried')).toBeGreaterThan(0);
  });
});

describe('the reconciler', () => {
  it('delivers a referral whose stream records were lost', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const referral = await write(); // no poller: the stream records are never read
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery, { pendingGraceSeconds: 0 });

    await reconcile({});

    expect(await statusesOf(referral)).toEqual(['SENT', 'SENT']);
    expect((await inboxFor(...Object.values(addresses))).length).toBe(3);
  });

  it('leaves a fresh PENDING lead to the stream', async () => {
    const { addresses, write } = aReferralToTwoTrials();
    const referral = await write();
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery, { pendingGraceSeconds: 3600 });

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
        UpdateExpression: 'SET #status = :sending, claimedAt = :at, attempts = :one, GSI1PK = :pk, GSI1SK = :sk',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sending': 'SENDING', ':at': claimedAt, ':one': 1, ':pk': outboxKeys('SENDING', claimedAt, staleLeadId).GSI1PK, ':sk': outboxKeys('SENDING', claimedAt, staleLeadId).GSI1SK },
      }),
    );
    const reconcile = createReconcileLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery, { pendingGraceSeconds: 3600 });

    await reconcile({});

    expect((await outboxOf(tableName).get({ kind: 'LEAD', id: staleLeadId }))?.summary).toMatchObject({ status: 'SENT', attempts: 2 });
    expect((await inboxFor(addresses.siteA)).length).toBe(1);
  });
});
