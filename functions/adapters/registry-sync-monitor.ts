/**
 * The registry sync's metrics (namespace `TrialScreener`, service `registry-sync`; the alarms of
 * `lib/registry-sync-construct.ts` read them) and log lines.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { RegistrySyncMonitor } from '#core/ports';

/** Namespace and service of the sync's metrics; `lib/registry-sync-construct.ts` alarms on them. */
export const REGISTRY_SYNC_METRICS = { namespace: 'TrialScreener', service: 'registry-sync' } as const;

export function registrySyncMonitor(metrics: Metrics, logger: Logger): RegistrySyncMonitor {
  return {
    synced: (report) => {
      metrics.addMetric('RegistrySyncSucceeded', MetricUnit.Count, 1);
      metrics.addMetric('TrialsNew', MetricUnit.Count, report.summary.new);
      metrics.addMetric('TrialsClosed', MetricUnit.Count, report.summary.closed);
      metrics.addMetric('LeadsHeldForClosedSites', MetricUnit.Count, report.heldLeads);
      metrics.addMetric('StaleTrialsWithLeads', MetricUnit.Count, report.staleTrialsWithLeads.length);
      metrics.addMetric('RegistryRecordsFailed', MetricUnit.Count, report.failures.length);
      metrics.publishStoredMetrics();
      logger.info('registry sync done', {
        since: report.since ?? 'full',
        published: report.published ?? 'unchanged',
        ...report.summary,
        heldLeads: report.heldLeads,
        staleTrialsWithLeads: report.staleTrialsWithLeads,
        failures: report.failures,
        durationMs: report.durationMs,
      });
    },
    failed: (error) => {
      metrics.addMetric('RegistrySyncFailed', MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      logger.error('registry sync failed; nothing was published', { error: (error as Error).message });
    },
  };
}
