/**
 * The erasure link of the patient confirmation, end to end on DynamoDB Local and the SES
 * emulator: a screening and a referral through the API's handlers, the confirmation delivered by
 * the stream handler from the table's real stream records, then the link's fragment used against
 * `DELETE /screenings/{id}`. The token is in the table in clear only until the confirmation is
 * SENT or FAILED, and never in a log line, a metric, an API response or the leads CLI's output:
 * every stdout/stderr write of the file is captured (handlers and delivery at DEBUG, EMF metrics
 * printed) and searched for each token issued.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { Command } from 'commander';
import { registerLeadCommands } from '#cli/commands/leads';
import { createOutboxDelivery, DELIVERY_METRICS_NAMESPACE, DELIVERY_SERVICE_NAME } from '#adapters/outbox-delivery';
import type { SesSender } from '#adapters/ses-mailer';
import { parseErasureFragment } from '#core/erasure-link';
import { createDeliverLeadsHandler } from '#functions/deliver-leads/stream-handler';
import { itemKeys } from '#functions/table-schema';
import { aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import {
  deliveryConfig,
  failingSes,
  inboxFor,
  readDeliveryRecords,
  rejectedError,
  throttlingError,
  uniqueAddress,
} from './delivery-fixtures';
import { OutputCapture } from '#test/setup/output-capture';

const context = { awsRequestId: 'erasure-link', getRemainingTimeInMillis: () => 60_000 } as Context;
const trial = aTrial();

let api: TestApi;
/** Every token the API issued in this file: none may appear in any captured output. */
const issuedTokens: string[] = [];
const output = new OutputCapture();
const captured = output.lines;

beforeAll(async () => {
  // The handlers' logger is created on their first import (in startTestApi): log everything.
  process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
  output.start();
  api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
});

afterAll(() => {
  output.stop();
});

interface Referred {
  screeningId: string;
  token: string;
  confirmationId: string;
  patientEmail: string;
  /** Every response body of the patient's API calls after `POST /screenings`. */
  responses: string[];
}

/** A screening and a referral through the API, as the form sends them. */
async function aReferredScreening(): Promise<Referred> {
  const patientEmail = uniqueAddress('patient');
  const screening = await api.request('POST', '/screenings', {
    body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
  });
  expect(screening.status).toBe(201);
  const { screeningId, token } = screening.body as { screeningId: string; token: string };
  issuedTokens.push(token);
  const referral = await api.request('POST', `/screenings/${screeningId}/referrals`, {
    token,
    body: {
      trialIds: [trial.nctId],
      contact: { name: 'Robin Patient', email: patientEmail },
      consent: { shareWithSites: true, phoneContact: false, textVersion: aScreener().consent.version },
    },
  });
  expect(referral.status).toBe(202);
  const status = await api.request('GET', `/screenings/${screeningId}`, { token });
  const [confirmation] = (await api.itemsOf('CONFIRMATION')).filter((item) => item.screeningId === screeningId);
  return {
    screeningId,
    token,
    confirmationId: String(confirmation?.confirmationId),
    patientEmail,
    responses: [JSON.stringify(referral), JSON.stringify(status)],
  };
}

/** Delivers the referral's lead and confirmation through the stream handler, logging at DEBUG. */
async function deliver(referred: Referred, ses?: SesSender, now?: () => Date): Promise<void> {
  const records = (await readDeliveryRecords(api.tableName)).filter((record) =>
    JSON.stringify(record.dynamodb?.NewImage).includes(referred.screeningId),
  );
  const delivery = createOutboxDelivery(deliveryConfig(api.tableName), {
    ...(ses ? { ses } : {}),
    ...(now ? { now } : {}),
    logger: new Logger({ serviceName: DELIVERY_SERVICE_NAME, logLevel: 'DEBUG' }),
    metrics: new Metrics({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME }),
  });
  await createDeliverLeadsHandler(delivery)({ Records: records }, context);
}

async function confirmationItem(referred: Referred): Promise<Record<string, unknown> | undefined> {
  const result = await api.table.client.send(
    new GetCommand({ TableName: api.tableName, Key: itemKeys.confirmation(referred.confirmationId), ConsistentRead: true }),
  );
  return result.Item;
}

/** The erasure link in the patient's confirmation email (plain-text body). */
async function erasureLinkIn(patientEmail: string): Promise<URL> {
  const [email] = await inboxFor(patientEmail);
  const link = /https?:\/\/\S*#erase=\S+/.exec(email?.body.text ?? '')?.[0];
  if (!link) throw new Error('The confirmation email has no erasure link');
  return new URL(link);
}

/** Runs `trial-screener <args>` against this file's table in-process; returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  const printed: string[] = [];
  const spies = [
    jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' '))),
    jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' '))),
  ];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: unknown) => printed.push(String(chunk)) > 0) as typeof process.stdout.write;
  try {
    const program = new Command().exitOverride();
    registerLeadCommands(program);
    await program.parseAsync([
      'node',
      'trial-screener',
      ...args,
      '--table',
      api.tableName,
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    ]);
    return printed.join('\n');
  } finally {
    process.stdout.write = write;
    spies.forEach((spy) => spy.mockRestore());
    process.exitCode = undefined;
  }
}

describe('the erasure link in the patient confirmation', () => {
  it('carries the screening id and its token in the URL fragment', async () => {
    const referred = await aReferredScreening();

    await deliver(referred);

    const link = await erasureLinkIn(referred.patientEmail);
    expect(`${link.origin}${link.pathname}${link.search}`).toBe('http://localhost:3000/');
    expect(parseErasureFragment(link.hash)).toEqual({ screeningId: referred.screeningId, token: referred.token });
  });

  it("erases the screening through the API with the link's token, leaving nothing of the patient", async () => {
    const referred = await aReferredScreening();
    await deliver(referred);
    const link = parseErasureFragment((await erasureLinkIn(referred.patientEmail)).hash)!;

    const erasure = await api.request('DELETE', `/screenings/${link.screeningId}`, { token: link.token });

    expect(erasure.status).toBe(200);
    // Only the disclosure record stays: which sites had the lead, and nothing about the patient.
    const left = (await api.items()).filter((item) => JSON.stringify(item).includes(referred.screeningId));
    expect(left.map((item) => item.entityType)).toEqual(['DISCLOSURE']);
    expect(Object.keys(left[0]!).sort()).toEqual([
      'PK',
      'SK',
      'disclosedTo',
      'entityType',
      'erasedAt',
      'expiresAt',
      'screeningId',
    ]);
    expect(erasure.body.disclosedTo).toEqual(
      left[0]!.disclosedTo.map(({ leadId: _leadId, ...site }: Record<string, unknown>) => site),
    );
    expect((await api.request('GET', `/screenings/${referred.screeningId}`, { token: link.token })).status).toBe(403);
  });

  it('holds the token on the confirmation item while the email waits to be sent', async () => {
    const referred = await aReferredScreening();

    expect(await confirmationItem(referred)).toMatchObject({ status: 'PENDING', screeningToken: referred.token });
  });

  it('removes the token from the confirmation item when it records SENT', async () => {
    const referred = await aReferredScreening();

    await deliver(referred);

    const item = await confirmationItem(referred);
    expect(item?.status).toBe('SENT');
    expect(item).not.toHaveProperty('screeningToken');
  });

  it('removes the token from the confirmation item when it records FAILED', async () => {
    const referred = await aReferredScreening();
    const ses = failingSes((command) =>
      command.input.Destination?.ToAddresses?.includes(referred.patientEmail) ? rejectedError() : undefined,
    );

    await deliver(referred, ses);

    const item = await confirmationItem(referred);
    expect(item?.status).toBe('FAILED');
    expect(item).not.toHaveProperty('screeningToken');
  });

  it('keeps the token for the next attempt when a send is retried', async () => {
    const referred = await aReferredScreening();
    const ses = failingSes((command) =>
      command.input.Destination?.ToAddresses?.includes(referred.patientEmail) ? throttlingError() : undefined,
    );

    await deliver(referred, ses);

    expect(await confirmationItem(referred)).toMatchObject({ status: 'PENDING', screeningToken: referred.token });
  });

  it('never shows the token in `leads list`, `leads show` or `leads export`, even before the email is sent', async () => {
    const referred = await aReferredScreening();

    const output = [
      await cli('leads', 'list', '--json'),
      await cli('leads', 'show', referred.confirmationId, '--json', '--with-patient'),
      await cli('leads', 'export', '--csv', '--with-patient'),
    ].join('\n');

    expect(output).toContain(referred.confirmationId);
    expect(output).not.toContain(referred.token);
  });

  it('never returns the token from the referral or status responses', async () => {
    const referred = await aReferredScreening();

    expect(referred.responses.filter((body) => body.includes(referred.token))).toEqual([]);
  });

  it('never writes a token to a log line or a metric', async () => {
    const referred = await aReferredScreening();
    const throttled = failingSes((command, call) =>
      call === 1 && command.input.Destination?.ToAddresses?.includes(referred.patientEmail) ? throttlingError() : undefined,
    );
    await deliver(referred, throttled);
    // The retry, once its backoff has passed (the stream replays the record; the reconciler would too).
    await deliver(referred, undefined, () => new Date(Date.now() + 3_600_000));
    const link = parseErasureFragment((await erasureLinkIn(referred.patientEmail)).hash)!;
    await api.request('DELETE', `/screenings/${link.screeningId}`, { token: link.token });

    expect(captured.some((line) => line.includes(referred.confirmationId) && line.includes('"outcome":"sent"'))).toBe(true);
    // Every token issued in this file so far, the other tests' included.
    expect(captured.filter((line) => issuedTokens.some((token) => line.includes(token)))).toEqual([]);
  });
});
