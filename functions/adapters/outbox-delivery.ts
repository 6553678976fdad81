/**
 * Wires the delivery lifecycle (`core/delivery.ts`) to the table, SES, the templates, the logger
 * and the metrics. Both delivery entries (the stream-driven `deliver-leads` and the scheduled
 * `reconcile-leads`) and the local runtime build one of these, so each message is delivered, logged
 * and counted the same way whichever path reached it.
 *
 * Logs and metrics carry ids, outcomes, attempts and durations; never an address, a name or an
 * answer. Metrics: namespace `TrialScreener`, service `outbox-delivery`, counts `MessagesSent`,
 * `MessagesFailed`, `MessagesHeld`, `MessagesRetried`, `MessagesSentUnrecorded` (SES accepted,
 * SENT could not be written) and `MessagesResentAfterAbandonedClaim` (a possible duplicate),
 * leads and patient confirmations alike.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  SEND_TIMEOUT_MS,
  assertClaimOutlivesWorker,
  deliverOutboxItem,
  type DeliveryOutcome,
  type DeliverySettings,
  type Mailer,
  type OutboxRef,
} from '#core/delivery';
import type { EmailTemplates } from '#core/lead-email';
import type { Config } from './config';
import { tableRef } from './dynamo';
import { loadEmailTemplates } from './email-templates';
import { logger as rootLogger } from './logger';
import { OutboxRepository } from './outbox-repository';
import { siteLinkIssuer } from './site-links';
import { createSesMailer, sesClient, type SesSender } from './ses-mailer';

export const DELIVERY_METRICS_NAMESPACE = 'TrialScreener';
export const DELIVERY_SERVICE_NAME = 'outbox-delivery';

/** The metric each outcome counts under; `skipped` (already handled elsewhere) counts nothing. */
export const OUTCOME_METRICS = {
  sent: 'MessagesSent',
  failed: 'MessagesFailed',
  held: 'MessagesHeld',
  retry: 'MessagesRetried',
  unrecorded: 'MessagesSentUnrecorded',
} as const;

/**
 * Published by every reconciler run: seconds since the longest-waiting undelivered message became
 * due (0 when none is overdue). It grows when delivery stalls; it is missing when the reconciler
 * stops running. The `OldestDueMessageAge` alarm reads it.
 */
export const OLDEST_DUE_METRIC = 'OldestDueMessageAgeSeconds';

/** Counted beside `MessagesSent` for a site lead (not a patient confirmation): the funnel's "delivered". */
export const LEADS_DELIVERED_METRIC = 'LeadsDelivered';

/** Counted beside `MessagesSent` when the send took over a claim abandoned by its worker. */
export const RESENT_METRIC = 'MessagesResentAfterAbandonedClaim';

/** Tries at recording SENT once SES accepted (about 16 s in all, see `core/delivery.ts`). */
export const RECORD_SENT_TRIES = 8;

/** The configuration values delivery reads (a subset of `Config`). */
export type DeliveryConfig = Pick<
  Config,
  | 'TABLE_NAME'
  | 'SENDER_EMAIL'
  | 'SES_CONFIGURATION_SET'
  | 'RECIPIENT_OVERRIDE'
  | 'CATALOG_CONTACTS_APPROVED'
  | 'PUBLIC_APP_URL'
  | 'LEAD_MAX_ATTEMPTS'
  | 'LEAD_STALE_SENDING_SECONDS'
  | 'LEAD_DELIVERY_WINDOW_HOURS'
  | 'LEAD_RETRY_BASE_SECONDS'
  | 'LEAD_RETRY_MAX_SECONDS'
  | 'SITE_EMAIL_MODE'
  | 'SITE_LINK_TTL_DAYS'
> &
  Partial<Pick<Config, 'DEPLOYMENT_STAGE'>>;

export interface OutboxDelivery {
  readonly outbox: OutboxRepository;
  readonly settings: DeliverySettings;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Delivers one message, then logs and counts the outcome. Throws only on table errors. */
  deliver(ref: OutboxRef): Promise<DeliveryOutcome>;
  /** Flushes the counted metrics (once per invocation). */
  publishMetrics(): void;
}

/** Replaceable parts, for tests (a failing SES decorator) and the local runtime. */
export interface OutboxDeliveryOverrides {
  ses?: SesSender;
  mailer?: Mailer;
  outbox?: OutboxRepository;
  templates?: EmailTemplates;
  metrics?: Metrics;
  logger?: Logger;
  now?: () => Date;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * What every sender of email reads from configuration, delivery and the site reminders alike: the
 * operator's email guard (whether catalog contacts may get email, the override address), the
 * app's address for links, and the time limit of one SES call.
 */
export function senderSettings(
  config: Pick<Config, 'CATALOG_CONTACTS_APPROVED' | 'RECIPIENT_OVERRIDE' | 'PUBLIC_APP_URL'>,
): Pick<DeliverySettings, 'policy' | 'appUrl' | 'sendTimeoutMs'> {
  return {
    policy: { contactsApproved: config.CATALOG_CONTACTS_APPROVED, override: config.RECIPIENT_OVERRIDE },
    appUrl: config.PUBLIC_APP_URL,
    sendTimeoutMs: SEND_TIMEOUT_MS,
  };
}

/** Builds the delivery settings from configuration and the templates delivery sends. */
export function deliverySettings(config: DeliveryConfig, templates: EmailTemplates): DeliverySettings {
  return {
    ...senderSettings(config),
    templates,
    maxAttempts: config.LEAD_MAX_ATTEMPTS,
    staleSendingSeconds: config.LEAD_STALE_SENDING_SECONDS,
    deliveryWindowSeconds: config.LEAD_DELIVERY_WINDOW_HOURS * 3600,
    retry: { baseSeconds: config.LEAD_RETRY_BASE_SECONDS, maxSeconds: config.LEAD_RETRY_MAX_SECONDS },
    recordSentTries: RECORD_SENT_TRIES,
    siteEmailMode: config.SITE_EMAIL_MODE,
  };
}

/** Creates the delivery service for one process (a Lambda cold start, the local runtime, a test). */
export function createOutboxDelivery(config: DeliveryConfig, overrides: OutboxDeliveryOverrides = {}): OutboxDelivery {
  const settings = deliverySettings(config, overrides.templates ?? loadEmailTemplates());
  // Fail the cold start rather than risk re-sending a message its first worker is still recording.
  assertClaimOutlivesWorker(settings);
  const outbox = overrides.outbox ?? new OutboxRepository(tableRef(config.TABLE_NAME));
  const mailer =
    overrides.mailer ??
    createSesMailer({
      ses: overrides.ses ?? sesClient(),
      sender: config.SENDER_EMAIL,
      configurationSet: config.SES_CONFIGURATION_SET,
    });
  const metrics =
    overrides.metrics ??
    new Metrics({
      namespace: DELIVERY_METRICS_NAMESPACE,
      serviceName: DELIVERY_SERVICE_NAME,
      // Two stages in one account publish apart; the stage's alarms read only their own.
      defaultDimensions: { stage: config.DEPLOYMENT_STAGE ?? 'local' },
    });
  const log = overrides.logger ?? rootLogger.createChild({ serviceName: DELIVERY_SERVICE_NAME });
  const now = overrides.now ?? (() => new Date());
  const siteLinks = siteLinkIssuer(config.SITE_LINK_TTL_DAYS);

  if (!settings.policy.contactsApproved && !settings.policy.override) {
    log.warn(
      'Email is held: CATALOG_CONTACTS_APPROVED is not true and no RECIPIENT_OVERRIDE is set, so leads and confirmations stay PENDING',
    );
  }

  return {
    outbox,
    settings,
    logger: log,
    metrics,
    async deliver(ref) {
      const started = now().getTime();
      const result = await deliverOutboxItem(ref, settings, {
        outbox,
        mailer,
        now,
        random: overrides.random,
        sleep: overrides.sleep,
        siteLinks,
      });
      const durationMs = now().getTime() - started;
      logOutcome(log, result, durationMs);
      if (result.outcome !== 'skipped') metrics.addMetric(OUTCOME_METRICS[result.outcome], MetricUnit.Count, 1);
      if (result.outcome === 'sent' && result.ref.kind === 'LEAD') metrics.addMetric(LEADS_DELIVERED_METRIC, MetricUnit.Count, 1);
      if (result.outcome === 'sent' && result.resentAbandonedClaim) metrics.addMetric(RESENT_METRIC, MetricUnit.Count, 1);
      return result;
    },
    publishMetrics() {
      // Publishing nothing would log a Powertools warning on every quiet reconciler run.
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

function logOutcome(log: Logger, result: DeliveryOutcome, durationMs: number): void {
  const ids = { kind: result.ref.kind, id: result.ref.id, outcome: result.outcome, durationMs };
  switch (result.outcome) {
    case 'sent':
      if (result.resentAbandonedClaim) {
        log.warn(
          'Outbox message re-sent after its earlier claim was abandoned: a duplicate is possible if SES accepted the first send',
          {
            ...ids,
            attempts: result.attempts,
            sesMessageId: result.messageId,
          },
        );
        return;
      }
      log.info('Outbox message sent', {
        ...ids,
        attempts: result.attempts,
        sesMessageId: result.messageId,
        overridden: result.overridden,
      });
      return;
    case 'unrecorded':
      log.error(
        'Outbox message sent but SENT could not be recorded; it stays SENDING and is not re-sent before its claim goes stale',
        {
          ...ids,
          attempts: result.attempts,
          sesMessageId: result.messageId,
          reason: result.reason,
        },
      );
      return;
    case 'held':
      if (result.reason) {
        log.warn(
          'Outbox message held: SES refused the send for a reason the operator must fix (sandbox, unverified identity, permission); retried until the delivery window ends',
          {
            ...ids,
            attempts: result.attempts,
            reason: result.reason,
            nextAttemptAt: result.nextAttemptAt,
          },
        );
        return;
      }
      log.warn('Outbox message held: no approved recipient and no override configured', ids);
      return;
    case 'skipped':
      log.info('Outbox message not claimable (already sent, in flight elsewhere, not due, failed or erased)', ids);
      return;
    case 'retry':
      log.warn('Outbox message send failed transiently; next attempt scheduled', {
        ...ids,
        attempts: result.attempts,
        reason: result.reason,
        nextAttemptAt: result.nextAttemptAt,
      });
      return;
    case 'failed':
      log.error('Outbox message failed', { ...ids, attempts: result.attempts, reason: result.reason });
      return;
  }
}
