/** The stack configuration read from CDK context, and the wiring checks that fail synthesis early. */
import { describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { FUNCTIONS, type FunctionSpec } from '#functions/function-manifest';
import { loadStackConfig } from '#lib/stack-config';
import { manifestEnvironment } from '#lib/lambda-function';
import { LeadDeliveryConstruct } from '#lib/lead-delivery-construct';
import { WebConstruct } from '#lib/web-construct';
import { cdkJsonContext } from './synthesize';

const SENDER = 'leads@trial-screener.test';

function configFrom(context: Record<string, unknown>) {
  return loadStackConfig(new App({ context }).node);
}

const deliverLeads = (FUNCTIONS as readonly FunctionSpec[]).find((spec) => spec.name === 'deliver-leads') as FunctionSpec;

describe('stack configuration', () => {
  it('applies the documented defaults when only the sender is given', () => {
    const config = configFrom({ senderEmail: SENDER });

    expect(config).toEqual({
      stage: 'prod',
      allowedOrigins: [],
      senderEmail: SENDER,
      senderIdentity: 'domain',
      createSenderIdentity: true,
      catalogContactsApproved: false,
      logRetentionDays: 365,
      screeningTtlDays: 30,
      referralRetentionDays: 365,
      maxRecordAgeDays: 365,
      registrySyncSchedule: 'rate(1 day)',
      registrySyncConditions: ['low back pain'],
      registrySyncScreenerIds: ['lower-back-pain'],
      registryApiUrl: 'https://clinicaltrials.gov/api/v2',
      leadMaxAttempts: 5,
      leadStaleSendingSeconds: 300,
      leadDeliveryWindowHours: 24,
      leadRetryBaseSeconds: 30,
      leadRetryMaxSeconds: 900,
      siteEmailMode: 'minimal',
      siteLinkTtlDays: 30,
      siteReminderWorkingDays: 3,
      apiRateLimit: 50,
      apiBurstLimit: 100,
      ipRateLimitPer5Minutes: 500,
      keepPreviousOutboxIndex: false,
    });
  });

  it('reads the upgrade switch that keeps the previous outbox index from a -c string', () => {
    expect(configFrom({ senderEmail: SENDER, keepPreviousOutboxIndex: 'true' }).keepPreviousOutboxIndex).toBe(true);
  });

  it('refuses a registry sync schedule that is not an EventBridge expression, naming the key', () => {
    expect(() => configFrom({ senderEmail: SENDER, registrySyncSchedule: 'daily' })).toThrow(/registrySyncSchedule/);
  });

  it('reads the registry sync conditions from a comma-separated -c value', () => {
    expect(configFrom({ senderEmail: SENDER, registrySyncConditions: 'low back pain, sciatica' }).registrySyncConditions).toEqual(
      ['low back pain', 'sciatica'],
    );
  });

  it('accepts the context defaults shipped in cdk.json once a sender is given', () => {
    expect(() => configFrom({ ...cdkJsonContext(), senderEmail: SENDER })).not.toThrow();
  });

  it('leaves the sender to the deploy when none is configured, as cdk.json ships', () => {
    expect(configFrom(cdkJsonContext()).senderEmail).toBeUndefined();
  });

  it.each(['leads@example.org', 'leads@example.com', 'leads@mail.example.net', 'leads@hospital.example'])(
    'refuses the documentation sender %s, which no mail server accepts',
    (senderEmail) => {
      expect(() => configFrom({ senderEmail })).toThrow(/senderEmail: is an example\.\* address/);
    },
  );

  it('accepts a sender whose domain merely contains the word example', () => {
    expect(configFrom({ senderEmail: 'leads@examples-hospital.org' }).senderEmail).toBe('leads@examples-hospital.org');
  });

  it('names the stage in the configuration and refuses one that cannot be part of a name', () => {
    expect(configFrom({ senderEmail: SENDER, stage: 'staging' }).stage).toBe('staging');
    expect(() => configFrom({ senderEmail: SENDER, stage: 'Staging_1' })).toThrow(/stage/);
    expect(() => configFrom({ senderEmail: SENDER, stage: 'averyverylongstage' })).toThrow(/stage/);
  });

  it('accepts a MAIL FROM domain only under the sender domain', () => {
    expect(configFrom({ senderEmail: SENDER, mailFromDomain: 'bounce.trial-screener.test' }).mailFromDomain).toBe(
      'bounce.trial-screener.test',
    );
    expect(() => configFrom({ senderEmail: SENDER, mailFromDomain: 'mail.other.org' })).toThrow(/mailFromDomain/);
  });

  it('refuses a site email mode other than minimal or full', () => {
    expect(() => configFrom({ senderEmail: SENDER, siteEmailMode: 'everything' })).toThrow(/siteEmailMode/);
  });

  it('reads values given as strings with -c on the command line', () => {
    const config = configFrom({
      senderEmail: SENDER,
      allowedOrigins: 'https://a.example.org, https://b.example.org',
      catalogContactsApproved: 'true',
      logRetentionDays: '90',
      recipientOverride: 'staging@example.org',
    });

    expect(config).toMatchObject({
      allowedOrigins: ['https://a.example.org', 'https://b.example.org'],
      catalogContactsApproved: true,
      logRetentionDays: 90,
      recipientOverride: 'staging@example.org',
    });
  });

  it('treats an empty optional value as not set', () => {
    const config = configFrom({ senderEmail: SENDER, recipientOverride: '', alarmEmail: '' });

    expect(config.recipientOverride).toBeUndefined();
    expect(config.alarmEmail).toBeUndefined();
  });

  it('names the bad key when the sender is not an email address', () => {
    expect(() => configFrom({ senderEmail: 'leads' })).toThrow(/senderEmail/);
  });

  it('refuses an allowed origin that is not https or has a path', () => {
    expect(() => configFrom({ senderEmail: SENDER, allowedOrigins: ['http://a.example.org'] })).toThrow(/allowedOrigins/);
    expect(() => configFrom({ senderEmail: SENDER, allowedOrigins: ['https://a.example.org/form'] })).toThrow(/allowedOrigins/);
  });

  it('refuses a log retention CloudWatch Logs does not offer', () => {
    expect(() => configFrom({ senderEmail: SENDER, logRetentionDays: 100 })).toThrow(/logRetentionDays/);
  });

  it('requires the web domain and its certificate together', () => {
    expect(() => configFrom({ senderEmail: SENDER, webDomainName: 'screener.example.org' })).toThrow(/webCertificateArn/);
  });
});

describe('function environment', () => {
  it('sets exactly the variables the manifest lists for a function', () => {
    const environment = manifestEnvironment(deliverLeads, {
      TABLE_NAME: 'table',
      ALLOWED_ORIGINS: 'https://a.example.org',
      SENDER_EMAIL: 'leads@example.org',
      SES_CONFIGURATION_SET: 'set',
      RECIPIENT_OVERRIDE: 'staging@example.org',
      CATALOG_CONTACTS_APPROVED: 'false',
      PUBLIC_APP_URL: 'https://app.example.org/',
      LEAD_MAX_ATTEMPTS: '5',
      LEAD_STALE_SENDING_SECONDS: '300',
      LEAD_DELIVERY_WINDOW_HOURS: '24',
      DEPLOYMENT_STAGE: 'prod',
      LEAD_RETRY_BASE_SECONDS: '30',
      LEAD_RETRY_MAX_SECONDS: '900',
      SITE_EMAIL_MODE: 'minimal',
      SITE_LINK_TTL_DAYS: '30',
    });

    expect(Object.keys(environment).sort()).toEqual([...deliverLeads.environment].sort());
  });

  it('leaves out an optional variable that is deliberately unset', () => {
    const environment = manifestEnvironment(deliverLeads, {
      TABLE_NAME: 'table',
      SENDER_EMAIL: 'leads@example.org',
      SES_CONFIGURATION_SET: 'set',
      RECIPIENT_OVERRIDE: undefined,
      CATALOG_CONTACTS_APPROVED: 'false',
      PUBLIC_APP_URL: 'https://app.example.org/',
      LEAD_MAX_ATTEMPTS: '5',
      LEAD_STALE_SENDING_SECONDS: '300',
      LEAD_DELIVERY_WINDOW_HOURS: '24',
      DEPLOYMENT_STAGE: 'prod',
      LEAD_RETRY_BASE_SECONDS: '30',
      LEAD_RETRY_MAX_SECONDS: '900',
      SITE_EMAIL_MODE: 'minimal',
      SITE_LINK_TTL_DAYS: '30',
    });

    expect(environment).not.toHaveProperty('RECIPIENT_OVERRIDE');
  });

  it('fails synthesis when a variable the manifest lists has no value wired', () => {
    expect(() => manifestEnvironment(deliverLeads, { TABLE_NAME: 'table' })).toThrow(/SENDER_EMAIL.*deliver-leads/);
  });
});

describe('early synthesis checks', () => {
  it('refuses a stale-sending period shorter than a delivery function can run', () => {
    const stack = new Stack(new App(), 'Check');
    const key = new Key(stack, 'Key');
    const table = new Table(stack, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } });

    expect(
      () =>
        new LeadDeliveryConstruct(stack, 'Delivery', {
          table,
          key,
          logRetention: RetentionDays.ONE_WEEK,
          environment: {},
          senderEmail: 'leads@example.org',
          createSenderIdentity: false,
          senderIdentity: 'email',
          leadStaleSendingSeconds: 60,
        }),
    ).toThrow(/leadStaleSendingSeconds \(60\) must exceed/);
  });

  it('asks for npm run build:web when the web app is not built', () => {
    const stack = new Stack(new App(), 'Check');

    expect(
      () =>
        new WebConstruct(stack, 'Web', {
          apiUrl: 'https://api.example.org/v1/',
          apiOrigin: 'https://api.example.org',
          key: new Key(stack, 'Key'),
          logRetention: RetentionDays.ONE_WEEK,
          logRetentionDays: 7,
          webAssetsPath: '/nonexistent/web/dist',
        }),
    ).toThrow(/npm run build:web/);
  });
});
