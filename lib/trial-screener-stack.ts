import { Annotations, CfnOutput, CfnParameter, Lazy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiConstruct } from './api-construct';
import { SENDER_EMAIL_PARAMETER_PATTERN, senderDomain, type StackConfig } from './stack-config';
import { DataConstruct } from './data-construct';
import { FunnelDashboardConstruct } from './funnel-dashboard-construct';
import type { EnvironmentValues } from './lambda-function';
import { LeadDeliveryConstruct } from './lead-delivery-construct';
import { MonitoringConstruct } from './monitoring-construct';
import { RegistrySyncConstruct } from './registry-sync-construct';
import { SiteLoopConstruct } from './site-loop-construct';
import { WebConstruct } from './web-construct';

export interface TrialScreenerStackProps extends StackProps {
  readonly config: StackConfig;
  /** The built web app; defaults to `web/dist` (tests point it at a small fixture). */
  readonly webAssetsPath?: string;
}

/** The stack id (and name) of a stage: `TrialScreener-prod`, `TrialScreener-staging`. */
export function stackIdOf(stage: string): string {
  return `TrialScreener-${stage}`;
}

/**
 * The whole deployment: data (table and key), the public API, lead delivery, web hosting and
 * monitoring. Every function, route and stream filter comes from `functions/function-manifest.ts`.
 */
export class TrialScreenerStack extends Stack {
  readonly data: DataConstruct;
  readonly api: ApiConstruct;
  readonly delivery: LeadDeliveryConstruct;
  readonly web: WebConstruct;
  readonly monitoring: MonitoringConstruct;
  readonly funnelDashboard: FunnelDashboardConstruct;
  readonly siteLoop: SiteLoopConstruct;
  readonly registrySync: RegistrySyncConstruct;

  constructor(scope: Construct, id: string, props: TrialScreenerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const logRetention = config.logRetentionDays as RetentionDays;
    const senderEmail = this.senderEmailOf(config);

    this.data = new DataConstruct(this, 'Data', { keepPreviousOutboxIndex: config.keepPreviousOutboxIndex });
    const { key, table } = this.data;

    // The API needs the web app's origin (CORS) and the web app needs the API's (CSP, config.json).
    // CloudFormation has no cycle (the distribution depends on the API resource, the functions on
    // the distribution), but constructs are created in order: the web origin is resolved lazily.
    // The web app's origins are the custom domain (if any) and, always, the CloudFront domain
    // (links already emailed name it); the count is known now, the values once the web exists.
    const webOriginCount = config.webDomainName ? 2 : 1;
    const webOrigins = Array.from({ length: webOriginCount }, (_, index) =>
      Lazy.string({ produce: () => this.web.origins[index] as string }),
    );
    const allowedOrigins = [...webOrigins, ...config.allowedOrigins];
    const environment: EnvironmentValues = {
      TABLE_NAME: table.tableName,
      ALLOWED_ORIGINS: allowedOrigins.join(','),
      SCREENING_TTL_DAYS: String(config.screeningTtlDays),
      REFERRAL_RETENTION_DAYS: String(config.referralRetentionDays),
      SENDER_EMAIL: senderEmail,
      RECIPIENT_OVERRIDE: config.recipientOverride,
      CATALOG_CONTACTS_APPROVED: String(config.catalogContactsApproved),
      PUBLIC_APP_URL: Lazy.string({ produce: () => this.web.url }),
      LEAD_MAX_ATTEMPTS: String(config.leadMaxAttempts),
      LEAD_STALE_SENDING_SECONDS: String(config.leadStaleSendingSeconds),
      MAX_RECORD_AGE_DAYS: String(config.maxRecordAgeDays),
      LEAD_DELIVERY_WINDOW_HOURS: String(config.leadDeliveryWindowHours),
      DEPLOYMENT_STAGE: config.stage,
      LEAD_RETRY_BASE_SECONDS: String(config.leadRetryBaseSeconds),
      LEAD_RETRY_MAX_SECONDS: String(config.leadRetryMaxSeconds),
      REGISTRY_API_URL: config.registryApiUrl,
      REGISTRY_CONDITIONS: config.registrySyncConditions.join('|'),
      REGISTRY_SCREENER_IDS: config.registrySyncScreenerIds.join(','),
      SITE_EMAIL_MODE: config.siteEmailMode,
      SITE_LINK_TTL_DAYS: String(config.siteLinkTtlDays),
      SITE_REMINDER_WORKING_DAYS: String(config.siteReminderWorkingDays),
    };

    this.api = new ApiConstruct(this, 'Api', {
      stage: config.stage,
      table,
      key,
      logRetention,
      environment,
      allowedOrigins,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
      ipRateLimitPer5Minutes: config.ipRateLimitPer5Minutes,
    });

    this.delivery = new LeadDeliveryConstruct(this, 'LeadDelivery', {
      table,
      key,
      logRetention,
      environment,
      senderEmail,
      createSenderIdentity: config.createSenderIdentity,
      senderIdentity: config.senderIdentity,
      mailFromDomain: config.mailFromDomain,
      leadStaleSendingSeconds: config.leadStaleSendingSeconds,
    });

    this.web = new WebConstruct(this, 'Web', {
      apiUrl: this.api.url,
      apiOrigin: this.api.origin,
      key,
      logRetention,
      logRetentionDays: config.logRetentionDays,
      ...(props.webAssetsPath ? { webAssetsPath: props.webAssetsPath } : {}),
      ...(config.webDomainName && config.webCertificateArn
        ? { customDomain: { domainName: config.webDomainName, certificateArn: config.webCertificateArn } }
        : {}),
    });

    if (this.web.origins.length !== webOriginCount) {
      throw new Error(`The web app has ${this.web.origins.length} origins, ${webOriginCount} were allowed for CORS`);
    }

    this.siteLoop = new SiteLoopConstruct(this, 'SiteLoop', {
      table,
      key,
      logRetention,
      environment,
      stage: config.stage,
      emailEvents: this.delivery.emailEvents,
    });
    this.monitoring = new MonitoringConstruct(this, 'Monitoring', {
      stage: config.stage,
      table,
      key,
      alarmEmail: config.alarmEmail,
      api: this.api.api,
      httpFunctions: this.api.routes,
      streamFunctions: this.delivery.streamDeliveries,
      // The email-event recorder (invoked by SNS) is alarmed like the scheduled functions.
      scheduledFunctions: [...this.delivery.scheduledDeliveries, ...this.siteLoop.emailEventFunctions],
      deadLetterQueue: this.delivery.deadLetterQueue,
    });
    this.siteLoop.alarmTo(this.monitoring.topic);

    this.funnelDashboard = new FunnelDashboardConstruct(this, 'FunnelDashboard', { stage: config.stage });

    this.registrySync = new RegistrySyncConstruct(this, 'RegistrySync', {
      table,
      key,
      logRetention,
      environment,
      schedule: config.registrySyncSchedule,
      alarmTopic: this.monitoring.topic,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.url, description: 'Base URL of the patient API (stage v1)' });
    new CfnOutput(this, 'WebUrl', { value: this.web.url, description: 'The patient form' });
    new CfnOutput(this, 'TableName', { value: table.tableName, description: 'The DynamoDB table (for the operator CLI)' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.delivery.deadLetterQueue.queueUrl,
      description: 'Lead stream batches that failed every retry',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.topic.topicArn, description: 'Subscribe to receive alarms' });
    new CfnOutput(this, 'EmailEventsTopicArn', {
      value: this.delivery.emailEvents.topicArn,
      description: 'SES delivery, bounce, complaint, reject, delay and rendering-failure events',
    });
    this.outputSenderDnsRecords(config, senderEmail);
  }

  /**
   * The From address: `senderEmail` from context, or else the `SenderEmail` parameter. The
   * parameter has no default, so a fresh clone synthesizes (with a warning) and `cdk deploy`
   * refuses ("CloudFormation Parameters are missing a value: SenderEmail") until the operator
   * gives one, with `-c senderEmail=...` or `--parameters SenderEmail=...`: never a made-up sender.
   */
  private senderEmailOf(config: StackConfig): string {
    if (config.senderEmail) return config.senderEmail;
    const parameter = new CfnParameter(this, 'SenderEmail', {
      type: 'String',
      description: 'The From address of every email (your own, verified in SES). Or deploy with -c senderEmail=...',
      allowedPattern: SENDER_EMAIL_PARAMETER_PATTERN,
      constraintDescription: 'must be your own email address (example.* addresses are refused)',
    });
    Annotations.of(this).addWarningV2(
      'trial-screener:senderEmailNotSet',
      'No senderEmail is set: this template needs the SenderEmail parameter, and cdk deploy refuses without it. ' +
        'Deploy with -c senderEmail=leads@your-domain.org (see "Deploying to AWS" in the README).',
    );
    return parameter.valueAsString;
  }

  /** The DNS records a domain identity needs, as outputs the operator copies into their zone. */
  private outputSenderDnsRecords(config: StackConfig, senderEmail: string): void {
    const identity = this.delivery.senderIdentity;
    if (!identity || config.senderIdentity !== 'domain') return;
    const dkim = [
      [identity.dkimDnsTokenName1, identity.dkimDnsTokenValue1],
      [identity.dkimDnsTokenName2, identity.dkimDnsTokenValue2],
      [identity.dkimDnsTokenName3, identity.dkimDnsTokenValue3],
    ];
    dkim.forEach(([name, value], index) => {
      new CfnOutput(this, `SenderDkimRecord${index + 1}`, {
        value: `${name} CNAME ${value}`,
        description: 'Easy DKIM record to publish',
      });
    });
    const mailFrom = config.mailFromDomain ?? `mail.${senderDomain(senderEmail)}`;
    new CfnOutput(this, 'SenderMailFromMx', {
      value: `${mailFrom} MX 10 feedback-smtp.${this.region}.amazonses.com`,
      description: 'MAIL FROM record to publish (bounces come back through it)',
    });
    new CfnOutput(this, 'SenderMailFromSpf', {
      value: `${mailFrom} TXT "v=spf1 include:amazonses.com ~all"`,
      description: 'SPF record of the MAIL FROM domain to publish',
    });
  }
}
