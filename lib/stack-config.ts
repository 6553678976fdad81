import { Fn, Token } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import * as z from 'zod';

/**
 * The stack's configuration, read from CDK context (`cdk.json` holds the defaults; operators
 * override with `npx cdk deploy -c senderEmail=leads@their-org.example`). Values given with `-c`
 * always arrive as strings, so lists, numbers and booleans are also accepted in string form.
 * A bad value fails synthesis with a message naming the key.
 */

/** Retention periods CloudWatch Logs accepts (anything else is rejected by the service). */
const LOG_RETENTION_DAYS = Object.values(RetentionDays).filter((days): days is number => typeof days === 'number');

/** `-c key=value` gives strings: accept a JSON array or a comma-separated list. */
const stringList = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return value;
    }
  }
  return text === '' ? [] : text.split(',').map((item) => item.trim());
}, z.array(z.string()));

const booleanFlag = z.preprocess((value) => {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}, z.boolean());

/** Empty strings (a cleared context value) mean "not set" for optional keys. */
const optionalEmail = z.preprocess((value) => (value === '' || value === null ? undefined : value), z.email().optional());

const optionalString = z.preprocess((value) => (value === '' || value === null ? undefined : value), z.string().optional());

const positiveInt = z.coerce.number().int().positive();

const httpsOrigin = z.url({ protocol: /^https$/ }).refine((url) => new URL(url).origin === url, {
  message: 'must be an origin: https://host[:port] with no path or trailing slash',
});

/**
 * A deployment's stage: part of the stack id (`TrialScreener-<stage>`) and of every name that
 * must be unique in an account, so staging and production can live side by side. Short and
 * lower-case because it ends up in names with tight limits (CloudFront's 64 characters).
 */
export const STAGE_NAME = /^[a-z][a-z0-9]{0,11}$/;

/**
 * Domains reserved for documentation (RFC 2606): mail from them is never deliverable, so a sender
 * there is the unedited default, never a real deployment.
 */
const RESERVED_SENDER_DOMAIN = /@(?:[^@]+\.)?example(?:\.[a-z]+)?$/i;

const senderAddress = z
  .preprocess((value) => (value === '' || value === null ? undefined : value), z.email('must be an email address').optional())
  .refine((address) => address === undefined || !RESERVED_SENDER_DOMAIN.test(address), {
    message:
      'is an example.* address, which no mail server accepts: set your own with -c senderEmail=leads@your-domain ' +
      '(see "Deploying to AWS" in the README)',
  });

/**
 * The sender as the `SenderEmail` CloudFormation parameter accepts it when no `senderEmail` is in
 * context: an email address, not at an example.* domain (CloudFormation checks it at deploy).
 */
export const SENDER_EMAIL_PARAMETER_PATTERN = '^(?![^@]*@(?:[^@]+[.])?example(?:[.][A-Za-z]+)?$)[^@\\s]+@[^@\\s]+[.][^@\\s]+$';

/** A mail domain (no scheme, no `@`): the sender's own domain or a subdomain of it. */
const mailDomain = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i,
    'must be a domain name such as mail.your-domain.org',
  );

export const StackConfigSchema = z
  .object({
    /** The stage: `prod` by default, e.g. `-c stage=staging` for a staging copy beside it. */
    stage: z
      .string()
      .regex(STAGE_NAME, 'must be 1-12 lower-case letters or digits, starting with a letter (e.g. prod, staging)')
      .default('prod'),
    /**
     * Extra browser origins allowed to call the API (CORS), e.g. a site embedding the form. The
     * CloudFront domain of the web app is always allowed, so the default is an empty list.
     */
    allowedOrigins: stringList.pipe(z.array(httpsOrigin)).default([]),
    /**
     * The From address of every email; must be a verified SES identity in the target region. Not
     * set (as cdk.json ships): the template asks for it as the `SenderEmail` parameter, which has
     * no default, so a bare `cdk synth` works and `cdk deploy` refuses until the operator gives one.
     */
    senderEmail: senderAddress,
    /**
     * Whether the stack creates the SES identity for the sender. Set false when the address or its
     * whole domain is already a verified identity in the account and region (created in the console,
     * or by another stage's stack): SES refuses to create an identity twice.
     */
    createSenderIdentity: booleanFlag.default(true),
    /**
     * Which identity the stack creates: `domain` (the documented path) verifies the sender's whole
     * domain with Easy DKIM and a custom MAIL FROM subdomain, so mail passes DMARC at hospital
     * gateways; `email` (the quick path) verifies only the address, by a link SES mails to it.
     */
    senderIdentity: z.enum(['domain', 'email']).default('domain'),
    /**
     * The custom MAIL FROM domain of a domain identity (a subdomain of the sender's domain, e.g.
     * `mail.your-domain.org`), which aligns SPF with the From domain. Default: `mail.<sender domain>`.
     */
    mailFromDomain: z.preprocess((value) => (value === '' || value === null ? undefined : value), mailDomain.optional()),
    /**
     * Staging switch: when set, every lead and confirmation goes to this address instead of the
     * trial site or the patient, so a test deployment never emails real people.
     */
    recipientOverride: optionalEmail,
    /**
     * The operator's statement that the loaded trial catalog's site contacts are theirs to use.
     * Until it is true, leads addressed to catalog contacts are held (never emailed) and counted in
     * the `MessagesHeld` metric.
     */
    catalogContactsApproved: booleanFlag.default(false),
    /** Optional address subscribed to the alarm topic (it must confirm the subscription). */
    alarmEmail: optionalEmail,
    /** Retention of every log group and of the access-log bucket (a CloudWatch Logs period). */
    logRetentionDays: z.coerce
      .number()
      .refine((days) => LOG_RETENTION_DAYS.includes(days), {
        message: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(365),
    /** Days an unreferred screening (answers, results) is kept before DynamoDB's TTL removes it. */
    screeningTtlDays: positiveInt.default(30),
    /** Days a referral and its leads are kept (the sites' follow-up window) before TTL removes them. */
    referralRetentionDays: positiveInt.default(365),
    /**
     * Days a trial's registry verification (or an operator's `trials confirm`) keeps it referable;
     * older records are shown as "may no longer be recruiting" and get no lead (`core/freshness.ts`).
     */
    maxRecordAgeDays: positiveInt.default(365),
    /**
     * When the registry sync runs: an EventBridge schedule expression, `rate(1 day)` by default or
     * e.g. `cron(0 5 * * ? *)` (05:00 UTC daily).
     */
    registrySyncSchedule: z
      .string()
      .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\))$/, {
        message: 'must be an EventBridge schedule expression: rate(1 day), rate(12 hours) or cron(0 5 * * ? *)',
      })
      .default('rate(1 day)'),
    /** Conditions the registry sync searches ClinicalTrials.gov for (`query.cond`). */
    registrySyncConditions: stringList
      .pipe(
        z
          .array(
            z
              .string()
              .trim()
              .min(1)
              .refine((condition) => !condition.includes('|'), 'cannot contain "|"'),
          )
          .min(1),
      )
      .default(['low back pain']),
    /** Screeners a trial new from the sync is screened by (it comes in as a draft until reviewed). */
    registrySyncScreenerIds: stringList.pipe(z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1)).default(['lower-back-pain']),
    /** The ClinicalTrials.gov API v2 base URL (https). */
    registryApiUrl: z.url({ protocol: /^https$/ }).default('https://clinicaltrials.gov/api/v2'),
    /**
     * Claims of a lead abandoned by their delivery function (crash, timeout) before it is marked
     * FAILED. Transient SES faults do not count: they are retried for `leadDeliveryWindowHours`.
     */
    leadMaxAttempts: positiveInt.default(5),
    /** Hours a lead is retried through transient faults (with backoff) before it is FAILED and alarms. */
    leadDeliveryWindowHours: positiveInt.default(24),
    /** First wait after a transient delivery fault; doubles per attempt, with jitter, up to the maximum. */
    leadRetryBaseSeconds: positiveInt.default(30),
    leadRetryMaxSeconds: positiveInt.default(900),
    /**
     * Seconds after which a lead still `SENDING` is considered abandoned (its delivery function
     * died) and may be re-claimed by the reconciler. Must exceed the delivery functions' timeout.
     */
    leadStaleSendingSeconds: positiveInt.default(300),
    /**
     * Optional custom domain of the web app (e.g. `screener.example.org`), served with TLS 1.2 or
     * later. Needs `webCertificateArn`; the DNS record pointing at CloudFront is the operator's.
     */
    webDomainName: optionalString,
    /** ACM certificate for `webDomainName`; CloudFront requires it to be in us-east-1. */
    webCertificateArn: optionalString.pipe(
      z
        .string()
        .regex(/^arn:aws[\w-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/, 'must be an ACM certificate ARN in us-east-1')
        .optional(),
    ),
    /**
     * What the site email carries. `minimal` (default): the trial, the site, the lead id and a
     * signed link to the lead page, where the patient's details are; no health data in any mailbox.
     * `full`: the patient's contact details, answers and consent in the email too (and Reply-To the
     * patient), for sites that cannot use the lead page; the email then sits in the site's mailbox
     * with health data in it, outside this system's retention and erasure.
     */
    siteEmailMode: z.enum(['minimal', 'full']).default('minimal'),
    /** Days a lead page link works after the email carrying it was sent (a reminder brings a fresh one). */
    siteLinkTtlDays: positiveInt.default(30),
    /** Working days without an outcome before the site's one reminder; the operator is alerted at twice that. */
    siteReminderWorkingDays: positiveInt.default(3),
    /**
     * Upgrade step for a stack deployed before the outbox index became `OutboxByStatus`: keeps the
     * previous index (`GSI1`, every attribute projected) for one deploy while the new one is
     * created, because CloudFormation creates or deletes at most one index per table update. Deploy
     * once with `-c keepPreviousOutboxIndex=true`, then once without it (README, "Upgrading").
     */
    keepPreviousOutboxIndex: booleanFlag.default(false),
    /** Steady-state requests per second the API stage accepts across all clients. */
    apiRateLimit: positiveInt.default(50),
    /** Burst of concurrent requests the API stage accepts above the steady rate. */
    apiBurstLimit: positiveInt.default(100),
    /** Requests one IP address may make in 5 minutes before the WAF answers 429. */
    ipRateLimitPer5Minutes: z.coerce.number().int().min(10).default(500),
  })
  .refine((config) => Boolean(config.webDomainName) === Boolean(config.webCertificateArn), {
    message: 'set both webDomainName and webCertificateArn, or neither',
    path: ['webCertificateArn'],
  })
  .refine(
    (config) =>
      !config.mailFromDomain ||
      !config.senderEmail ||
      config.mailFromDomain.toLowerCase().endsWith(`.${senderDomain(config.senderEmail).toLowerCase()}`),
    {
      message: "must be a subdomain of the sender's domain (SES requires it, and DMARC alignment needs it)",
      path: ['mailFromDomain'],
    },
  );

/** The domain part of an email address (a CloudFormation expression for a deploy-time parameter). */
export function senderDomain(address: string): string {
  if (Token.isUnresolved(address)) return Fn.select(1, Fn.split('@', address));
  return address.slice(address.lastIndexOf('@') + 1);
}

export type StackConfig = z.infer<typeof StackConfigSchema>;

/** Context keys read by {@link loadStackConfig}; everything else in context is ignored. */
export const STACK_CONFIG_KEYS = Object.keys(StackConfigSchema.shape) as (keyof StackConfig)[];

/**
 * Reads and validates the configuration from CDK context. Throws an error naming every bad key
 * so `cdk synth` stops before anything is built.
 */
export function loadStackConfig(node: Node): StackConfig {
  const raw: Record<string, unknown> = {};
  for (const key of STACK_CONFIG_KEYS) {
    const value: unknown = node.tryGetContext(key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = StackConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  - ${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new Error(
      `Invalid CDK context for the TrialScreener stack:\n${problems.join('\n')}\n` +
        'Set the values in cdk.json or with -c key=value.',
    );
  }
  return parsed.data;
}
