/**
 * Wires the delivery lifecycle (`core/delivery.ts`) to the table, SES, the templates, the logger
 * and the metrics. Both delivery entries (the stream-driven `deliver-leads` and the scheduled
 * `reconcile-leads`) and the local runtime build one of these, so each message is delivered, logged
 * and counted the same way whichever path reached it.
 *
 * Logs and metrics carry ids, outcomes, attempts and durations; never an address, a name or an
 * answer. Metrics: namespace `TrialScreener`, service `outbox-delivery`, counts `MessagesSent`,
 * `MessagesFailed`, `MessagesHeld`, `MessagesRetried` (leads and patient confirmations alike).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Logger } from '@aws-lambda-powertools/logger';
import {
  deliverOutboxItem,
  type DeliveryOutcome,
  type DeliverySettings,
  type Mailer,
  type OutboxRef,
} from '../core/delivery';
import type { EmailTemplates } from '../core/lead-email';
import type { Config } from './config';
import { tableRef } from './dynamo';
import { loadEmailTemplates } from './email-templates';
import { logger as rootLogger } from './logger';
import { OutboxRepository } from './outbox-repository';
import { createSesMailer, sesClient, type SesSender } from './ses-mailer';

export const DELIVERY_METRICS_NAMESPACE = 'TrialScreener';
export const DELIVERY_SERVICE_NAME = 'outbox-delivery';

/** The metric each outcome counts under; `skipped` (already handled elsewhere) counts nothing. */
export const OUTCOME_METRICS = {
  sent: 'MessagesSent',
  failed: 'MessagesFailed',
  held: 'MessagesHeld',
  retry: 'MessagesRetried',
} as const;

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
>;

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
}

/** Builds the delivery settings from configuration (the policy is the operator's email guard). */
export function deliverySettings(config: DeliveryConfig, templates: EmailTemplates = loadEmailTemplates()): DeliverySettings {
  return {
    templates,
    policy: { contactsApproved: config.CATALOG_CONTACTS_APPROVED, override: config.RECIPIENT_OVERRIDE },
    appUrl: config.PUBLIC_APP_URL,
    maxAttempts: config.LEAD_MAX_ATTEMPTS,
    staleSendingSeconds: config.LEAD_STALE_SENDING_SECONDS,
  };
}

/** Creates the delivery service for one process (a Lambda cold start, the local runtime, a test). */
export function createOutboxDelivery(config: DeliveryConfig, overrides: OutboxDeliveryOverrides = {}): OutboxDelivery {
  const settings = deliverySettings(config, overrides.templates);
  const outbox = overrides.outbox ?? new OutboxRepository(tableRef(config.TABLE_NAME));
  const mailer =
    overrides.mailer ??
    createSesMailer({ ses: overrides.ses ?? sesClient(), sender: config.SENDER_EMAIL, configurationSet: config.SES_CONFIGURATION_SET });
  const metrics =
    overrides.metrics ?? new Metrics({ namespace: DELIVERY_METRICS_NAMESPACE, serviceName: DELIVERY_SERVICE_NAME });
  const log = overrides.logger ?? rootLogger.createChild({ serviceName: DELIVERY_SERVICE_NAME });
  const now = overrides.now ?? (() => new Date());

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
      const result = await deliverOutboxItem(ref, settings, { outbox, mailer, now });
      const durationMs = now().getTime() - started;
      logOutcome(log, result, durationMs);
      if (result.outcome !== 'skipped') metrics.addMetric(OUTCOME_METRICS[result.outcome], MetricUnit.Count, 1);
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
      log.info('Outbox message sent', { ...ids, attempts: result.attempts, sesMessageId: result.messageId, overridden: result.overridden });
      return;
    case 'held':
      log.warn('Outbox message held: no approved recipient and no override configured', ids);
      return;
    case 'skipped':
      log.info('Outbox message not claimable (already sent, in flight elsewhere, failed or erased)', ids);
      return;
    case 'retry':
      log.warn('Outbox message send failed transiently; released for retry', { ...ids, attempts: result.attempts, reason: result.reason });
      return;
    case 'failed':
      log.error('Outbox message failed', { ...ids, attempts: result.attempts, reason: result.reason });
      return;
  }
}
