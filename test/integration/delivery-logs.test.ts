/**
 * Health data never reaches a log on the delivery path either: every stdout/stderr write of the
 * stream handler and the reconciler (logs at DEBUG and the EMF metric lines) is captured while
 * leads are sent, rejected, retried and held, then checked for the patient's and the site
 * contact's details and the answers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MessageRejected } from '@aws-sdk/client-ses';
import type { Context } from 'aws-lambda';
import { createOutboxDelivery, DELIVERY_METRICS_NAMESPACE, DELIVERY_SERVICE_NAME } from '#adapters/outbox-delivery';
import { createDeliverLeadsHandler } from '#functions/deliver-leads/stream-handler';
import { createReconcileLeadsHandler } from '#functions/reconcile-leads/reconciler';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import { deliveryConfig, failingSes, readDeliveryRecords, uniqueAddress, writeReferral } from './delivery-fixtures';
import { OutputCapture } from '#test/setup/output-capture';

const PATIENT = { name: 'Zephyrine Quillfeather', email: uniqueAddress('zephyrine'), phone: '+14105550177' };
const SITE_ACCEPTS = uniqueAddress('accepting-site');
const SITE_REJECTS = uniqueAddress('rejecting-site');
/** Text that is only in a log line if an answer or a criterion leaked into it. */
const ANSWER_TRACES = ['How long have you had this back pain?', '16 weeks', 'Paracetamol', 'more than 12 weeks'];
const context = { awsRequestId: 'logs', getRemainingTimeInMillis: () => 60_000 } as Context;

describe('logs and metrics of lead delivery', () => {
  const output = new OutputCapture();
  const lines = output.lines;
  let tableName: string;
  let leadIds: string[] = [];

  beforeAll(async () => {
    tableName = await createTestTable();
    output.start();

    const referral = await writeReferral(tableName, PATIENT, [
      { trialId: 'NCT00000001', recipientEmail: SITE_ACCEPTS },
      { trialId: 'NCT00000002', recipientEmail: SITE_REJECTS },
    ]);
    leadIds = referral.leadIds;
    const records = await readDeliveryRecords(tableName);
    // SES's own messages may quote an address; the injected ones do, to prove they are not logged.
    // Decided per recipient, not per call: the batch's records are not sent in a fixed order.
    const attemptsByRecipient = new Map<string, number>();
    const ses = failingSes((command) => {
      const to = command.input.Destination?.ToAddresses?.[0] ?? '';
      const attempt = (attemptsByRecipient.get(to) ?? 0) + 1;
      attemptsByRecipient.set(to, attempt);
      if (to === SITE_REJECTS)
        return new MessageRejected({ $metadata: { httpStatusCode: 400 }, message: `Illegal address: ${to}` });
      if (to === SITE_ACCEPTS && attempt === 1) {
        return Object.assign(new Error(`Throttled sending to ${to}`), { name: 'Throttling', $metadata: { httpStatusCode: 400 } });
      }
      return undefined;
    });
    const delivery = () =>
      createOutboxDelivery(deliveryConfig(tableName), {
        ses,
        logger: new Logger({ serviceName: DELIVERY_SERVICE_NAME, logLevel: 'DEBUG' }),
        metrics: new Metrics({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME }),
      });

    const handler = createDeliverLeadsHandler(delivery());
    await handler({ Records: records }, context);
    // The reconciler, an hour later, finds the throttled lead due and sends it.
    const inAnHour = () => new Date(Date.now() + 3_600_000);
    await createReconcileLeadsHandler(
      createOutboxDelivery(deliveryConfig(tableName), {
        ses,
        now: inAnHour,
        logger: new Logger({ serviceName: DELIVERY_SERVICE_NAME, logLevel: 'DEBUG' }),
        metrics: new Metrics({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME }),
      }),
      { now: inAnHour },
    )({});
    const held = createOutboxDelivery(deliveryConfig(tableName, { CATALOG_CONTACTS_APPROVED: false }), {
      logger: new Logger({ serviceName: DELIVERY_SERVICE_NAME, logLevel: 'DEBUG' }),
      metrics: new Metrics({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME }),
    });
    await createDeliverLeadsHandler(held)({ Records: records }, context);
  });

  afterAll(async () => {
    output.stop();
    await deleteTestTable(tableName);
  });

  it('logs each outcome with the lead id', () => {
    const outcomes = lines.filter((line) => line.includes(leadIds[0]!) || line.includes(leadIds[1]!));

    expect(outcomes.some((line) => line.includes('"outcome":"sent"'))).toBe(true);
    expect(outcomes.some((line) => line.includes('"outcome":"failed"') && line.includes('SES MessageRejected (400)'))).toBe(true);
    expect(outcomes.some((line) => line.includes('"outcome":"retry"'))).toBe(true);
    expect(outcomes.some((line) => line.includes('"outcome":"held"'))).toBe(true);
  });

  it('publishes the delivery metrics in the TrialScreener namespace', () => {
    const metricLines = lines.filter((line) => line.includes('"_aws"'));

    expect(metricLines.some((line) => line.includes('"Namespace":"TrialScreener"') && line.includes('MessagesSent'))).toBe(true);
    expect(metricLines.some((line) => line.includes('MessagesFailed'))).toBe(true);
    expect(metricLines.some((line) => line.includes('MessagesRetried'))).toBe(true);
    expect(metricLines.some((line) => line.includes('MessagesHeld'))).toBe(true);
  });

  it("never logs the patient's name, email address or phone number", () => {
    const leaked = lines.filter((line) =>
      [PATIENT.name, 'Quillfeather', PATIENT.email, PATIENT.phone, '555-0177'].some((value) => line.includes(value)),
    );

    expect(leaked).toEqual([]);
  });

  it("never logs a site contact's address, even when SES quotes it", () => {
    const leaked = lines.filter((line) => [SITE_ACCEPTS, SITE_REJECTS].some((value) => line.includes(value)));

    expect(leaked).toEqual([]);
  });

  it('never logs an answer or a criterion', () => {
    const leaked = lines.filter((line) => ANSWER_TRACES.some((value) => line.includes(value)));

    expect(leaked).toEqual([]);
  });
});
