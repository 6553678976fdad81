/**
 * The reminder run's metrics and log lines (Powertools): `LeadsUnanswered` on every run, zero
 * included, so its alarm sees the count go back to zero; `SiteRemindersSent` when any went out.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ReminderMonitor } from '#core/ports';
import { SITE_METRIC_NAMES } from './site-metrics';

export function reminderMonitor(metrics: Metrics, logger: Logger): ReminderMonitor {
  return {
    reminded: (leadId, sesMessageId, overridden) => logger.info('Site reminder sent', { leadId, sesMessageId, overridden }),
    notReminded: (leadId, reason) => logger.warn('Site reminder not sent; the next run tries again', { leadId, reason }),
    finished: (summary) => {
      metrics.addMetric(SITE_METRIC_NAMES.unanswered, MetricUnit.Count, summary.unanswered);
      if (summary.reminded > 0) metrics.addMetric(SITE_METRIC_NAMES.reminderSent, MetricUnit.Count, summary.reminded);
      metrics.publishStoredMetrics();
      if (summary.examined > 0) logger.info('Reminder run finished', { ...summary });
      if (summary.unanswered > 0) {
        logger.warn('Leads unanswered after twice the reminder delay: see trial-screener leads list --unanswered', {
          unanswered: summary.unanswered,
        });
      }
    },
  };
}
