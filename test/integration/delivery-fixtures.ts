/**
 * Fixtures for the delivery integration tests: a table on DynamoDB Local with real referrals
 * written through the API's repository, the delivery service pointed at the SES emulator, a
 * failing-SES decorator, stream reading and the emulator's inbox filtered to a test's addresses
 * (the emulator is shared by every test file of a run).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { MessageRejected, SESClient, SESServiceException, type SendEmailCommand } from '@aws-sdk/client-ses';
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  DescribeStreamCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { streamFunctions } from '#functions/function-manifest';
import { documentClient, tableRef } from '#adapters/dynamo';
import {
  createOutboxDelivery,
  DELIVERY_METRICS_NAMESPACE,
  DELIVERY_SERVICE_NAME,
  type DeliveryConfig,
  type OutboxDeliveryOverrides,
} from '#adapters/outbox-delivery';
import { OutboxRepository } from '#adapters/outbox-repository';
import { ReferralRepository } from '#adapters/referral-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import type { SesSender } from '#adapters/ses-mailer';
import type { LeadPlan } from '#core/referral';
import { fetchEmulatorInbox, type EmulatedEmail } from '#local/ses-emulator';
import { passesFilters, toLambdaRecord } from '#local/stream-poller';

export const deliverLeadsSpec = streamFunctions().find((spec) => spec.name === 'deliver-leads')!;

/** Addresses unique to one test, so its emails can be told apart in the shared emulator. */
export function uniqueAddress(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.org`;
}

export function deliveryConfig(tableName: string, overrides: Partial<DeliveryConfig> = {}): DeliveryConfig {
  return {
    TABLE_NAME: tableName,
    SENDER_EMAIL: 'leads@trial-screener.local',
    SES_CONFIGURATION_SET: 'trial-screener-test',
    RECIPIENT_OVERRIDE: undefined,
    CATALOG_CONTACTS_APPROVED: true,
    PUBLIC_APP_URL: 'http://localhost:3000/',
    LEAD_MAX_ATTEMPTS: 5,
    LEAD_STALE_SENDING_SECONDS: 300,
    LEAD_DELIVERY_WINDOW_HOURS: 24,
    LEAD_RETRY_BASE_SECONDS: 30,
    LEAD_RETRY_MAX_SECONDS: 900,
    SITE_EMAIL_MODE: 'minimal',
    SITE_LINK_TTL_DAYS: 30,
    ...overrides,
  };
}

/** Metrics that are not printed; tests that check metrics read `metrics.emitted`. */
export class CapturedMetrics extends Metrics {
  readonly emitted: string[] = [];

  constructor() {
    super({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME });
  }

  override publishStoredMetrics(): this {
    if (this.hasStoredMetrics()) this.emitted.push(JSON.stringify(this.serializeMetrics()));
    this.clearMetrics();
    return this;
  }

  /** How often `name` was counted across every publish so far. */
  count(name: string): number {
    return this.emitted
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .flatMap((emf) => [emf[name] ?? []].flat() as number[])
      .reduce((total, value) => total + value, 0);
  }
}

/** The delivery service of a test: real table, real SES client on the emulator unless replaced. */
export function testDelivery(config: DeliveryConfig, overrides: OutboxDeliveryOverrides = {}) {
  const metrics = new CapturedMetrics();
  const delivery = createOutboxDelivery(config, {
    metrics,
    logger: new Logger({ serviceName: DELIVERY_SERVICE_NAME, logLevel: 'SILENT' }),
    ...overrides,
  });
  return { delivery, metrics };
}

export function outboxOf(tableName: string): OutboxRepository {
  return new OutboxRepository(tableRef(tableName, documentClient()));
}

export interface ReferralTrial {
  trialId: string;
  recipientEmail: string;
}

export interface PatientFixture {
  name: string;
  email: string;
  phone?: string;
}

export interface WrittenReferral {
  screeningId: string;
  /** The screening token (the confirmation's erasure link carries it). */
  token: string;
  leadIds: string[];
}

function aLeadPlan(trial: ReferralTrial, index: number): LeadPlan {
  return {
    trialId: trial.trialId,
    trialTitle: `Back pain study ${index + 1}`,
    site: {
      siteId: `site-${index + 1}`,
      facility: `Spine Clinic ${index + 1}`,
      city: 'Boston',
      state: 'Massachusetts',
      country: 'United States',
    },
    recipient: { name: `Coordinator ${index + 1}`, email: trial.recipientEmail },
    qualifyingAnswers: [
      { question: 'How long have you had this back pain?', answer: '16 weeks' },
      { question: 'Have you taken any medicine for your back pain?', answer: 'Yes: Paracetamol (acetaminophen)' },
    ],
    criteriaMet: ['Has had lower back pain for more than 12 weeks'],
    patientDistance: 'about 12 miles (19 km) in a straight line',
    screening: {
      eligibility: 'possibly_eligible',
      criteriaUnknown: ['You are not pregnant or breastfeeding.'],
      leftToStudyTeam: ['Your blood test results.'],
      patientArea: 'ZIP 021xx',
      recordDate: '2026-06-01',
      screenerVersion: '2026-12-01.3',
    },
  };
}

/** Writes a screening and its referral (leads + confirmation, PENDING) the way the API does. */
export async function writeReferral(
  tableName: string,
  patient: PatientFixture,
  trials: ReferralTrial[],
  /** The clock the screening and the referral are written by (a referral written minutes ago is due to the reconciler). */
  now?: () => Date,
): Promise<WrittenReferral> {
  const table = tableRef(tableName, documentClient());
  const screenings = new ScreeningRepository(table, now ? { now } : {});
  const token = randomUUID();
  const saved = await screenings.createScreening(
    {
      screenerId: 'lower-back-pain',
      screenerVersion: 'test',
      catalogVersion: 'test',
      maxRecordAgeDays: 365,
      answers: {},
      outcome: 'matches',
      redFlags: [],
      results: [],
    },
    token,
  );
  const referral = await new ReferralRepository(table, now ? { now } : {}).createReferral({
    screeningId: saved.screening.screeningId,
    token,
    contact: patient,
    consent: { phoneContact: true, textVersion: 'consent-test-v1' },
    trialIds: trials.map((trial) => trial.trialId),
    plans: trials.map(aLeadPlan),
  });
  return { screeningId: saved.screening.screeningId, token, leadIds: referral.leads.map((lead) => lead.leadId) };
}

/** Every new-lead and new-confirmation record on the table's stream, as Lambda would receive them. */
export async function readDeliveryRecords(tableName: string): Promise<DynamoDBRecord[]> {
  const dynamo = new DynamoDBClient({});
  const streams = new DynamoDBStreamsClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
  try {
    const table = await dynamo.send(new DescribeTableCommand({ TableName: tableName }));
    const streamArn = table.Table!.LatestStreamArn!;
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const records: DynamoDBRecord[] = [];
    for (const shard of description.StreamDescription?.Shards ?? []) {
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      // An open shard always returns a next iterator: stop at the first empty page.
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        if (!page.Records?.length) break;
        records.push(...page.Records.map((record) => toLambdaRecord(record, streamArn)));
        iterator = page.NextShardIterator;
      }
    }
    return records.filter((record) => passesFilters(record, deliverLeadsSpec.trigger.filterPatterns));
  } finally {
    dynamo.destroy();
    streams.destroy();
  }
}

/** The emulator's emails to any of `addresses`. */
export async function inboxFor(...addresses: string[]): Promise<EmulatedEmail[]> {
  const emails = await fetchEmulatorInbox(process.env.SES_EMULATOR_URL!);
  return emails.filter((email) => email.destination.to.some((to) => addresses.includes(to)));
}

/** Waits until `check` returns true (polling), failing with `what` if it never does. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Gave up waiting: ${what}`);
}

/** SES as AWS raises it when throttling: the SDK's own retries are exhausted by then. */
export function throttlingError(): Error {
  return new SESServiceException({
    name: 'Throttling',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    message: 'Maximum sending rate exceeded.',
  });
}

/** SES refusing the message itself (not the sandbox's "not verified", which is held). */
export function rejectedError(): Error {
  return new MessageRejected({ $metadata: { httpStatusCode: 400 }, message: 'Illegal address' });
}

/**
 * Wraps the real SES client (on the emulator): `failure` decides, per call, whether to throw
 * instead of sending. No module mocking: the mailer takes any `send`.
 */
export function failingSes(
  failure: (command: SendEmailCommand, call: number) => Error | undefined,
): SesSender & { calls: number } {
  const real = new SESClient({});
  const decorator = {
    calls: 0,
    async send(command: SendEmailCommand) {
      decorator.calls += 1;
      const error = failure(command, decorator.calls);
      if (error) throw error;
      return real.send(command);
    },
  };
  return decorator;
}
