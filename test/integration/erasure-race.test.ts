/**
 * Erasure wins over delivery, on DynamoDB Local and the SES emulator: once the erasure is
 * acknowledged no email about the patient is sent, and the sites that already had the lead are
 * named in the response and in a disclosure record that holds no patient data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SendEmailCommand } from '@aws-sdk/client-ses';
import { SESClient } from '@aws-sdk/client-ses';
import { GetCommand, type GetCommandInput } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableRef } from '#adapters/dynamo';
import { ErasureRepository } from '#adapters/erasure-repository';
import { itemKeys } from '#functions/table-schema';
import { runCli } from '#test/setup/cli';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import { deliveryConfig, outboxOf, testDelivery, uniqueAddress, writeReferral } from './delivery-fixtures';

let tableName: string;

beforeAll(async () => {
  tableName = await createTestTable();
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The real SES client (emulator), slowed by `delayMs` before each send, noting when SES accepted. */
function slowSes(delayMs: () => number) {
  const real = new SESClient({});
  const accepted: { to: string; at: number }[] = [];
  return {
    accepted,
    async send(command: SendEmailCommand, options?: { abortSignal?: AbortSignal }) {
      await pause(delayMs());
      const output = await real.send(command, options);
      accepted.push({ to: command.input.Destination!.ToAddresses![0]!, at: Date.now() });
      return output;
    },
  };
}

function aReferralToOneSite() {
  const site = uniqueAddress('site');
  const patient = uniqueAddress('patient');
  return {
    site,
    patient,
    write: () =>
      writeReferral(tableName, { name: 'Pat Example', email: patient }, [{ trialId: 'NCT00000001', recipientEmail: site }]),
  };
}

describe('erasure', () => {
  it('names the sites that already received the lead and keeps only that in a disclosure record', async () => {
    const site = uniqueAddress('site-sent');
    const later = uniqueAddress('site-later');
    const patient = uniqueAddress('patient');
    const referral = await writeReferral(tableName, { name: 'Pat Quillfeather', email: patient, phone: '+16175550177' }, [
      { trialId: 'NCT00000001', recipientEmail: site },
      { trialId: 'NCT00000002', recipientEmail: later },
    ]);
    const { delivery } = testDelivery(deliveryConfig(tableName));
    await delivery.deliver({ kind: 'LEAD', id: referral.leadIds[0]! });
    const sentAt = (await outboxOf(tableName).get({ kind: 'LEAD', id: referral.leadIds[0]! }))?.summary.sentAt;

    const receipt = await new ErasureRepository(tableRef(tableName, documentClient())).eraseScreening(
      referral.screeningId,
      referral.token,
    );

    expect(receipt.disclosedTo).toEqual([
      {
        leadId: referral.leadIds[0],
        trialId: 'NCT00000001',
        siteId: 'site-1',
        facility: 'Spine Clinic 1',
        status: 'SENT',
        sentAt,
      },
    ]);
    const record = await getItem({ TableName: tableName, Key: itemKeys.disclosure(referral.screeningId) });
    expect(record.Item?.disclosedTo).toEqual(receipt.disclosedTo);
    expect(JSON.stringify(record.Item)).not.toMatch(/Quillfeather|5550177|patient-|site-sent-|@/);
    expect(await outboxOf(tableName).get({ kind: 'LEAD', id: referral.leadIds[1]! })).toBeUndefined();
  });

  it("keeps the disclosure record for the referral's retention", async () => {
    const referral = await aReferralToOneSite().write();
    const { delivery } = testDelivery(deliveryConfig(tableName));
    await delivery.deliver({ kind: 'LEAD', id: referral.leadIds[0]! });

    const erasedAt = Date.now();
    await new ErasureRepository(tableRef(tableName, documentClient()), { referralRetentionDays: 30 }).eraseScreening(
      referral.screeningId,
      referral.token,
    );

    const record = await getItem({ TableName: tableName, Key: itemKeys.disclosure(referral.screeningId) });
    const keptForDays = (Number(record.Item?.expiresAt) * 1000 - erasedAt) / 86_400_000;
    expect(keptForDays).toBeGreaterThan(29.99);
    expect(keptForDays).toBeLessThan(30.01);
  });

  it("keeps the disclosure record of an operator's erasure for the retention the operator gives", async () => {
    const referral = await aReferralToOneSite().write();
    const { delivery } = testDelivery(deliveryConfig(tableName));
    await delivery.deliver({ kind: 'LEAD', id: referral.leadIds[0]! });

    const erasedAt = Date.now();
    const run = await runCli(
      'screenings',
      'erase',
      referral.screeningId,
      '--retention-days',
      '90',
      '--table',
      tableName,
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    );

    expect(run.exitCode).toBe(0);
    const record = await getItem({ TableName: tableName, Key: itemKeys.disclosure(referral.screeningId) });
    const keptForDays = (Number(record.Item?.expiresAt) * 1000 - erasedAt) / 86_400_000;
    expect(keptForDays).toBeGreaterThan(89.99);
    expect(keptForDays).toBeLessThan(90.01);
  });

  it('keeps no disclosure record when nothing had been sent', async () => {
    const referral = await aReferralToOneSite().write();

    const receipt = await new ErasureRepository(tableRef(tableName, documentClient())).eraseScreening(
      referral.screeningId,
      referral.token,
    );

    expect(receipt.disclosedTo).toEqual([]);
    expect((await getItem({ TableName: tableName, Key: itemKeys.disclosure(referral.screeningId) })).Item).toBeUndefined();
  });

  it('lets no email out after the erasure is acknowledged, racing delivery 30 times', async () => {
    const violations: string[] = [];
    const undisclosed: string[] = [];
    let sentBeforeErasure = 0;
    for (let round = 0; round < 30; round += 1) {
      const { site, patient, write } = aReferralToOneSite();
      const referral = await write();
      const ses = slowSes(() => Math.random() * 40);
      const { delivery } = testDelivery(deliveryConfig(tableName), { ses });
      const erasures = new ErasureRepository(tableRef(tableName, documentClient()));

      const confirmationId = (await confirmationIdOf(referral.screeningId))!;
      // Either may start first: the delivery after 0-300 ms, the erasure after 0-30 ms (an erasure
      // takes a few reads and a transaction, so this spreads the delivery's claim across it).
      const delivering = pause(Math.random() * 300).then(() =>
        Promise.all([
          delivery.deliver({ kind: 'LEAD', id: referral.leadIds[0]! }),
          delivery.deliver({ kind: 'CONFIRMATION', id: confirmationId }),
        ]),
      );
      await pause(Math.random() * 30);
      const receipt = await erasures.eraseScreening(referral.screeningId, referral.token);
      const acknowledgedAt = Date.now();
      await delivering;

      for (const email of ses.accepted)
        if (email.at > acknowledgedAt) violations.push(`round ${round}: ${email.to === site ? 'lead' : 'confirmation'}`);
      const leadSent = ses.accepted.some((email) => email.to === site);
      if (leadSent) sentBeforeErasure += 1;
      if (leadSent !== receipt.disclosedTo.some((disclosure) => disclosure.status === 'SENT')) undisclosed.push(`round ${round}`);
      expect(patient).toContain('patient');
    }

    expect(violations).toEqual([]);
    expect(undisclosed).toEqual([]);
    // The race is real: some rounds sent before the erasure, some were erased first.
    expect(sentBeforeErasure).toBeGreaterThan(0);
    expect(sentBeforeErasure).toBeLessThan(30);
  }, 120_000);
});

async function confirmationIdOf(screeningId: string): Promise<string | undefined> {
  const screening = await getItem({ TableName: tableName, Key: itemKeys.screening(screeningId), ConsistentRead: true });
  return screening.Item?.referral?.confirmationId as string | undefined;
}

function getItem(input: GetCommandInput) {
  return documentClient().send(new GetCommand(input));
}
