/**
 * The email-event recorder's metrics and log lines (Powertools): counts by kind, and log lines
 * naming the message by kind and id, never an address or a diagnostic.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { EmailEventMonitor } from '#core/ports';
import { SITE_METRIC_NAMES } from './site-metrics';

export function emailEventMonitor(metrics: Metrics, logger: Logger): EmailEventMonitor {
  return {
    ignored: (notificationId) => logger.warn('Ignored an email event with no outbox message', { messageId: notificationId }),
    delivered: () => metrics.addMetric(SITE_METRIC_NAMES.delivered, MetricUnit.Count, 1),
    complained: (ref, sesMessageId) => {
      metrics.addMetric(SITE_METRIC_NAMES.complained, MetricUnit.Count, 1);
      logger.warn('Email complaint reported by SES', { kind: ref.kind, id: ref.id, sesMessageId });
    },
    hardBounced: (ref, sesMessageId, bounceSubType) => {
      metrics.addMetric(SITE_METRIC_NAMES.bounced, MetricUnit.Count, 1);
      logger.error(`Email hard-bounced: marked BOUNCED${ref.kind === 'LEAD' ? ' and the address paused' : ''}`, {
        kind: ref.kind,
        id: ref.id,
        sesMessageId,
        bounceSubType,
      });
    },
    finished: (summary) => {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      if (summary.recorded + summary.ignored > 0) logger.info('Email events recorded', { ...summary });
    },
  };
}
