/**
 * The reconciler under faults, on DynamoDB Local and the SES emulator: it owns retries, so what
 * it reads (the due index), how much it takes per run and what one bad item can do to a run
 * decide whether leads survive an outage.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { MalformedItemError, documentClient } from '#adapters/dynamo';
import { OLDEST_DUE_METRIC } from '#adapters/outbox-delivery';
import { createReconcileLeadsHandler } from '#functions/reconcile-leads/reconciler';
import { dueKeys, itemKeys, outboxKeys } from '#functions/table-schema';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import { deliveryConfig, inboxFor, outboxOf, testDelivery, uniqueAddress, writeReferral } from './delivery-fixtures';

let tableName: string;

beforeAll(async () => {
  tableName = await createTestTable();
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

/** A clock `hours` ahead, so that everything written now is due. */
const hoursAhead = (hours: number) => () => new Date(Date.now() + hours * 3_600_000);

/**
 * An item that sits first in line and makes every claim of it throw (not a condition failure):
 * in the due index, or with `neverAttempted` only in the outbox index as a new message is.
 */
async function writePoisonLead(table: string, { neverAttempted = false } = {}): Promise<string> {
  const leadId = `poison-${Date.now()}`;
  const longAgo = '2020-01-01T00:00:00.000Z';
  await documentClient().send(
    new PutCommand({
      TableName: table,
      Item: {
        ...itemKeys.lead(leadId),
        entityType: 'LEAD',
        leadId,
        status: 'PENDING',
        // A number is expected: `attempts + 1` fails with a ValidationException on every claim.
        attempts: 'not a number',
        createdAt: longAgo,
        updatedAt: longAgo,
        ...outboxKeys('PENDING', longAgo, leadId),
        ...(neverAttempted ? {} : dueKeys(longAgo, leadId)),
      },
    }),
  );
  return leadId;
}

describe('the reconciler', () => {
  it('delivers everything due behind a poison item, run after run', async () => {
    const ownTable = await createTestTable();
    const poisonId = await writePoisonLead(ownTable);
    const site = uniqueAddress('site');
    const patient = uniqueAddress('patient');
    const referral = await writeReferral(ownTable, { name: 'Pat Example', email: patient }, [
      { trialId: 'NCT00000001', recipientEmail: site },
    ]);
    const { delivery } = testDelivery(deliveryConfig(ownTable));

    const first = await createReconcileLeadsHandler(delivery, { now: hoursAhead(1) })({});
    const second = await createReconcileLeadsHandler(delivery, { now: hoursAhead(1) })({});

    expect(first).toMatchObject({ errors: 1, sent: 2 });
    // Moved back in line: the next run does not meet it first again.
    expect(second).toMatchObject({ examined: 0, errors: 0 });
    expect((await outboxOf(ownTable).get({ kind: 'LEAD', id: referral.leadIds[0]! }))?.summary.status).toBe('SENT');
    expect((await inboxFor(site, patient)).length).toBe(2);
    // Unreadable and left alone: still there, still refused by its reader.
    await expect(outboxOf(ownTable).get({ kind: 'LEAD', id: poisonId })).rejects.toThrow(MalformedItemError);
    await deleteTestTable(ownTable);
  });

  it('moves a poison message that was never attempted back in line too', async () => {
    const ownTable = await createTestTable();
    const poisonId = await writePoisonLead(ownTable, { neverAttempted: true });
    const { delivery } = testDelivery(deliveryConfig(ownTable));

    const first = await createReconcileLeadsHandler(delivery, { now: hoursAhead(1) })({});
    const second = await createReconcileLeadsHandler(delivery, { now: hoursAhead(1) })({});

    expect(first).toMatchObject({ examined: 1, errors: 1 });
    expect(second).toMatchObject({ examined: 0, errors: 0 });
    const { Item } = await documentClient().send(new GetCommand({ TableName: ownTable, Key: itemKeys.lead(poisonId) }));
    expect(Item).toMatchObject({ GSI2PK: 'OUTBOX#DUE', nextAttemptAt: expect.any(String) });
    await deleteTestTable(ownTable);
  });

  it('delivers a new message the stream never delivered once the grace has passed, though it is not in the due index', async () => {
    const ownTable = await createTestTable();
    const site = uniqueAddress('site');
    const patient = uniqueAddress('patient');
    const referral = await writeReferral(ownTable, { name: 'Pat Example', email: patient }, [
      { trialId: 'NCT00000001', recipientEmail: site },
    ]);
    const { Item: lead } = await documentClient().send(
      new GetCommand({ TableName: ownTable, Key: itemKeys.lead(referral.leadIds[0]!) }),
    );
    const { delivery } = testDelivery(deliveryConfig(ownTable));
    const withinGrace = createReconcileLeadsHandler(delivery, { now: () => new Date(Date.now() + 30_000) });
    const afterGrace = createReconcileLeadsHandler(delivery, { now: () => new Date(Date.now() + 61_000) });

    expect(lead).not.toHaveProperty('GSI2PK');
    expect(await withinGrace({})).toMatchObject({ examined: 0 });
    expect(await afterGrace({})).toMatchObject({ examined: 2, sent: 2 });
    expect((await inboxFor(site, patient)).length).toBe(2);
    await deleteTestTable(ownTable);
  });

  it('takes at most its batch per run and leaves the rest for the next', async () => {
    const sites = [uniqueAddress('a'), uniqueAddress('b'), uniqueAddress('c')];
    for (const site of sites) {
      await writeReferral(tableName, { name: 'Pat Example', email: uniqueAddress('patient') }, [
        { trialId: 'NCT00000001', recipientEmail: site },
      ]);
    }
    const { delivery } = testDelivery(deliveryConfig(tableName));
    const reconcile = createReconcileLeadsHandler(delivery, { now: hoursAhead(2), maxMessagesPerRun: 4 });

    const first = await reconcile({});
    const second = await reconcile({});

    expect(first.examined).toBe(4);
    expect(second.examined).toBe(2);
    expect((await inboxFor(...sites)).length).toBe(3);
  });

  it('does not look at a message that is not due yet', async () => {
    const site = uniqueAddress('site');
    await writeReferral(tableName, { name: 'Pat Example', email: uniqueAddress('patient') }, [
      { trialId: 'NCT00000001', recipientEmail: site },
    ]);
    const { delivery } = testDelivery(deliveryConfig(tableName));

    const summary = await createReconcileLeadsHandler(delivery)({});

    expect(summary.examined).toBe(0);
    expect(await inboxFor(site)).toEqual([]);
  });
});

describe('the reconciler health metric', () => {
  it('publishes how long the longest-waiting due message has waited, every run', async () => {
    const ownTable = await createTestTable();
    const poisonId = await writePoisonLead(ownTable);
    const { delivery, metrics } = testDelivery(deliveryConfig(ownTable));
    const now = new Date('2020-01-01T01:00:00.000Z');

    // Out of time before the first delivery: the poison item stays first in line, an hour overdue.
    await createReconcileLeadsHandler(delivery, { now: () => now })({}, { getRemainingTimeInMillis: () => 0 });

    const published = metrics.emitted.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(published.map((line) => line[OLDEST_DUE_METRIC])).toContain(3600);
    expect(poisonId).toBeTruthy();
    await deleteTestTable(ownTable);
  });

  it('publishes 0 when nothing is waiting, so a missing value means the reconciler did not run', async () => {
    const ownTable = await createTestTable();
    const { delivery, metrics } = testDelivery(deliveryConfig(ownTable));

    await createReconcileLeadsHandler(delivery)({});

    const published = metrics.emitted.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(published.map((line) => line[OLDEST_DUE_METRIC])).toEqual([0]);
    await deleteTestTable(ownTable);
  });
});
