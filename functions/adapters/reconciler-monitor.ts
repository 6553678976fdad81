/**
 * The reconciler run's metrics and log lines (Powertools, through the delivery service's logger
 * and metrics, so its counts publish with the deliveries'): `OldestDueMessageAgeSeconds` on every
 * run the table answers, which the `OldestDueMessageAge` alarm reads.
 */
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ReconcilerMonitor } from '#core/ports';
import { OLDEST_DUE_METRIC, type OutboxDelivery } from './outbox-delivery';

export function reconcilerMonitor(delivery: Pick<OutboxDelivery, 'logger' | 'metrics' | 'publishMetrics'>): ReconcilerMonitor {
  return {
    notDelivered: (ref, errorName, retryInSeconds) =>
      delivery.logger.error('Reconciler could not deliver a message; moved back in line', {
        kind: ref.kind,
        id: ref.id,
        error: errorName,
        retryInSeconds,
      }),
    oldestDue: (ageSeconds) => delivery.metrics.addMetric(OLDEST_DUE_METRIC, MetricUnit.Seconds, ageSeconds),
    oldestDueUnknown: (errorName) => delivery.logger.warn('Could not read the oldest due message', { error: errorName }),
    published: () => delivery.publishMetrics(),
    finished: (summary) => {
      if (summary.examined > 0) delivery.logger.info('Reconciler run finished', { ...summary });
    },
  };
}
