/**
 * The funnel's live metrics (namespace `TrialScreener`, service `funnel`, dimension `stage`):
 * screenings and their eligible / possibly eligible trial results when a screening is stored,
 * referrals and their leads when a referral is stored. Delivery counts `LeadsDelivered`
 * (`outbox-delivery.ts`) and the site's API its outcomes (`site-metrics.ts`). The CloudWatch
 * dashboard (`lib/funnel-dashboard-construct.ts`) reads them by these names; a CDK test proves
 * the names agree. Counts only: never an id, an answer or a trial's result for a person.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { screeningFunnelCounts } from '#core/funnel';
import type { Eligibility, ScreeningOutcome } from '#core/model';

export const FUNNEL_METRICS_NAMESPACE = 'TrialScreener';
export const FUNNEL_METRICS_SERVICE = 'funnel';

/** Every metric name of the funnel service. */
export const FUNNEL_METRIC_NAMES = {
  screenings: 'Screenings',
  urgentCare: 'ScreeningsUrgentCare',
  eligible: 'TrialResultsEligible',
  possiblyEligible: 'TrialResultsPossiblyEligible',
  referrals: 'Referrals',
  leadsReferred: 'LeadsReferred',
} as const;

/** The funnel metrics of a function, in its stage (each API call publishes at once). */
export function funnelMetrics(stage: string): Metrics {
  return new Metrics({ namespace: FUNNEL_METRICS_NAMESPACE, serviceName: FUNNEL_METRICS_SERVICE, defaultDimensions: { stage } });
}

/** Counts a newly stored screening (not an idempotent replay of one) and publishes. */
export function countScreening(
  metrics: Metrics,
  screening: { outcome: ScreeningOutcome; results: readonly { eligibility: Eligibility }[] },
): void {
  const counts = screeningFunnelCounts(screening);
  metrics.addMetric(FUNNEL_METRIC_NAMES.screenings, MetricUnit.Count, 1);
  metrics.addMetric(FUNNEL_METRIC_NAMES.urgentCare, MetricUnit.Count, counts.urgentCare);
  metrics.addMetric(FUNNEL_METRIC_NAMES.eligible, MetricUnit.Count, counts.eligible);
  metrics.addMetric(FUNNEL_METRIC_NAMES.possiblyEligible, MetricUnit.Count, counts.possiblyEligible);
  metrics.publishStoredMetrics();
}

/** Counts a stored referral and its leads, and publishes. */
export function countReferral(metrics: Metrics, leadCount: number): void {
  metrics.addMetric(FUNNEL_METRIC_NAMES.referrals, MetricUnit.Count, 1);
  metrics.addMetric(FUNNEL_METRIC_NAMES.leadsReferred, MetricUnit.Count, leadCount);
  metrics.publishStoredMetrics();
}
