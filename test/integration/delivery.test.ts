/**
 * Lead delivery against DynamoDB Local and the SES emulator, invoking the stream handler with the
 * table's real stream records (as Lambda would after the manifest's filter).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableRef } from '#adapters/dynamo';
import { LEAD_HEALTH_SUMMARY_ATTRIBUTE, storedLeadFields } from '#adapters/outbox-repository';
import { createDeliverLeadsHandler } from '#functions/deliver-leads/stream-handler';
import { itemKeys } from '#functions/table-schema';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import {
  deliveryConfig,
  failingSes,
  inboxFor,
  outboxOf,
  readDeliveryRecords,
  rejectedError,
  testDelivery,
  uniqueAddress,
  writeReferral,
} from './delivery-fixtures';

const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 60_000 } as Context;
let tableName: string;

beforeAll(async () => {
  tableName = await createTestTable();
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

/** A referral to two trials, its stream records, and the addresses involved. */
async function referralToTwoTrials(patientName = 'Pat Example') {
  const siteA = uniqueAddress('site-a');
  const siteB = uniqueAddress('site-b');
  const patient = { name: patientName, email: uniqueAddress('patient'), phone: '+16175550100' };
  const referral = await writeReferral(tableName, patient, [
    { trialId: 'NCT00000001', recipientEmail: siteA },
    { trialId: 'NCT00000002', recipientEmail: siteB },
  ]);
  const records = (await readDeliveryRecords(tableName)).filter((record) =>
    JSON.stringify(record.dynamodb?.NewImage).includes(referral.screeningId),
  );
  return { siteA, siteB, patient, referral, records };
}

describe('the deliver-leads stream handler', () => {
  it('sends exactly two site emails and one confirmation for a referral to two trials', async () => {
    const { siteA, siteB, patient, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await handler({ Records: records }, context);

    expect((await inboxFor(siteA)).length).toBe(1);
    expect((await inboxFor(siteB)).length).toBe(1);
    expect((await inboxFor(patient.email)).length).toBe(1);
  });

  it('sends each site a minimal email by default: trial, site, lead id and the lead page link, no patient data', async () => {
    const { siteA, patient, referral, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await handler({ Records: records }, context);

    const [email] = await inboxFor(siteA);
    const leadId = referral.leadIds[0]!;
    expect(email?.replyTo ?? []).toEqual([]);
    expect(email?.subject).toContain('NCT00000001');
    expect(email?.body.text).toContain(leadId);
    expect(email?.body.text).toMatch(new RegExp(`http://localhost:3000/site/leads/${leadId}#t=[A-Za-z0-9_-]{22}`));
    for (const body of [email?.body.text ?? '', email?.body.html ?? '']) {
      for (const patientData of [
        patient.name,
        patient.email,
        patient.phone,
        '16 weeks',
        'How long have you had this back pain?',
        'consent-test-v1',
      ]) {
        expect(body).not.toContain(patientData);
      }
    }
  });

  it('puts the qualifying answers, the consent and Reply-To the patient in each site email in full mode', async () => {
    const { siteA, patient, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName, { SITE_EMAIL_MODE: 'full' })).delivery);

    await handler({ Records: records }, context);

    const [email] = await inboxFor(siteA);
    expect(email?.replyTo).toEqual([patient.email]);
    expect(email?.subject).toContain('NCT00000001');
    expect(email?.body.text).toContain('How long have you had this back pain?');
    expect(email?.body.text).toContain('16 weeks');
    expect(email?.body.text).toContain('consent text version consent-test-v1');
    expect(email?.body.html).toContain('Paracetamol (acetaminophen)');
  });

  it('sends a lead written before its health summary was compressed with the same answers and criteria', async () => {
    const { siteA, referral, records } = await referralToTwoTrials();
    // Rewritten as older code wrote it: the texts in the clear, no compressed attribute.
    const table = tableRef(tableName, documentClient());
    for (const leadId of referral.leadIds) {
      const stored = (
        await table.client.send(new GetCommand({ TableName: tableName, Key: itemKeys.lead(leadId), ConsistentRead: true }))
      ).Item!;
      expect(stored[LEAD_HEALTH_SUMMARY_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
      const { [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: _packed, ...clear } = storedLeadFields(stored);
      await table.client.send(new PutCommand({ TableName: tableName, Item: clear }));
    }
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName, { SITE_EMAIL_MODE: 'full' })).delivery);

    await handler({ Records: records }, context);

    const [email] = await inboxFor(siteA);
    expect(email?.body.text).toContain('How long have you had this back pain?');
    expect(email?.body.text).toContain('16 weeks');
    expect(email?.body.text).toContain('Has had lower back pain for more than 12 weeks');
    expect(email?.body.text).toContain('Your blood test results.');
  });

  it('tells the patient which studies will contact them and how to erase their data', async () => {
    const { patient, referral, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await handler({ Records: records }, context);

    const [confirmation] = await inboxFor(patient.email);
    expect(confirmation?.body.text).toContain('Back pain study 1');
    expect(confirmation?.body.text).toContain('Back pain study 2');
    expect(confirmation?.body.text).toContain(`http://localhost:3000/#erase=${referral.screeningId}.${referral.token}`);
  });

  it('records each lead as SENT with the SES message id', async () => {
    const { siteA, referral, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await handler({ Records: records }, context);

    const stored = await outboxOf(tableName).get({ kind: 'LEAD', id: referral.leadIds[0]! });
    const [email] = await inboxFor(siteA);
    expect(stored?.summary).toMatchObject({ status: 'SENT', attempts: 1, sesMessageId: email?.messageId });
  });

  it('sends nothing twice when the same stream records are replayed', async () => {
    const { siteA, siteB, patient, records } = await referralToTwoTrials();
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName)).delivery);

    await handler({ Records: records }, context);
    const replay = await handler({ Records: records }, context);

    expect(replay.batchItemFailures).toEqual([]);
    expect((await inboxFor(siteA, siteB, patient.email)).length).toBe(3);
  });

  it('fails only the lead SES rejects permanently, without holding back the rest of its batch', async () => {
    const { siteA, siteB, patient, referral, records } = await referralToTwoTrials();
    const ses = failingSes((command) => (command.input.Destination?.ToAddresses?.includes(siteA) ? rejectedError() : undefined));
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName), { ses }).delivery);

    const response = await handler({ Records: records }, context);

    const outbox = outboxOf(tableName);
    expect(response.batchItemFailures).toEqual([]);
    expect((await outbox.get({ kind: 'LEAD', id: referral.leadIds[0]! }))?.summary).toMatchObject({
      status: 'FAILED',
      lastError: 'SES MessageRejected (400)',
    });
    expect((await outbox.get({ kind: 'LEAD', id: referral.leadIds[1]! }))?.summary.status).toBe('SENT');
    expect((await inboxFor(siteB, patient.email)).length).toBe(2);
  });

  it('schedules a transiently failing lead for a later attempt without failing its stream record', async () => {
    const { siteA, referral, records } = await referralToTwoTrials();
    const ses = failingSes((command) =>
      command.input.Destination?.ToAddresses?.includes(siteA)
        ? Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } })
        : undefined,
    );
    const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName), { ses }).delivery);

    const response = await handler({ Records: records }, context);

    // The stream's immediate retries would spend attempts during an outage: the reconciler owns retries.
    expect(response.batchItemFailures).toEqual([]);
    const stored = await outboxOf(tableName).get({ kind: 'LEAD', id: referral.leadIds[0]! });
    expect(stored?.summary).toMatchObject({ status: 'PENDING', attempts: 1, lastError: 'SES ServiceUnavailable (503)' });
    const waitSeconds = (Date.parse(stored!.summary.nextAttemptAt!) - Date.now()) / 1000;
    expect(waitSeconds).toBeGreaterThan(10);
    expect(waitSeconds).toBeLessThanOrEqual(30);
  });
});

describe('the email guard', () => {
  it('holds every message PENDING, counting MessagesHeld, when contacts are not approved and no override is set', async () => {
    const { siteA, siteB, patient, referral, records } = await referralToTwoTrials();
    const { delivery, metrics } = testDelivery(deliveryConfig(tableName, { CATALOG_CONTACTS_APPROVED: false }));

    await createDeliverLeadsHandler(delivery)({ Records: records }, context);

    expect(await inboxFor(siteA, siteB, patient.email)).toEqual([]);
    expect((await outboxOf(tableName).get({ kind: 'LEAD', id: referral.leadIds[0]! }))?.summary).toMatchObject({
      status: 'PENDING',
      attempts: 0,
    });
    expect(metrics.count('MessagesHeld')).toBe(3);
  });

  it('sends every message to the override address instead of the catalog contacts', async () => {
    const override = uniqueAddress('staging');
    const { siteA, siteB, records } = await referralToTwoTrials();
    const config = deliveryConfig(tableName, { CATALOG_CONTACTS_APPROVED: false, RECIPIENT_OVERRIDE: override });

    await createDeliverLeadsHandler(testDelivery(config).delivery)({ Records: records }, context);

    expect(await inboxFor(siteA, siteB)).toEqual([]);
    expect((await inboxFor(override)).length).toBe(3);
  });
});

describe('hostile patient input', () => {
  it('never puts a script tag from a name into an email as markup', async () => {
    const { siteA, records } = await referralToTwoTrials('<script>alert(1)</script>');

    await createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName, { SITE_EMAIL_MODE: 'full' })).delivery)(
      { Records: records },
      context,
    );

    const [email] = await inboxFor(siteA);
    expect(email?.body.html).not.toContain('<script>');
    expect(email?.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('never turns a name with a line break into a header', async () => {
    const { siteA, patient, records } = await referralToTwoTrials('Eve\r\nBcc: x@y.example');

    await createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName, { SITE_EMAIL_MODE: 'full' })).delivery)(
      { Records: records },
      context,
    );

    const [email] = await inboxFor(siteA);
    expect(email?.destination).toEqual({ to: [siteA], cc: [], bcc: [] });
    expect(email?.replyTo).toEqual([patient.email]);
    expect(email?.body.text).toContain('Name:    Eve Bcc: x@y.example');
  });
});
