/**
 * Metrics of the site's side (namespace `TrialScreener`, service `site-leads`, dimension `stage`),
 * published by the site API functions, the reminder run and the email-event recorder: counts only,
 * never an id. The stage keeps a staging deployment's bounces and pauses out of production's alarms
 * when both run in one account, as the funnel and delivery metrics do.
 * The funnel dashboard and the alarms (`lib/site-loop-construct.ts`) read them by these names.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

export const SITE_METRICS_NAMESPACE = 'TrialScreener';
export const SITE_METRICS_SERVICE = 'site-leads';

/** Every metric name of the site's side. */
export const SITE_METRIC_NAMES = {
  leadViewed: 'SiteLeadViews',
  outcomeRecorded: 'SiteOutcomesRecorded',
  sitePaused: 'SitesPaused',
  reminderSent: 'SiteRemindersSent',
  unanswered: 'LeadsUnanswered',
  bounced: 'LeadsBounced',
  complained: 'EmailComplaints',
  delivered: 'EmailsDelivered',
} as const;

/** Per-outcome counts are named `SiteOutcome_<outcome>` so a dashboard can graph each step. */
export function outcomeMetricName(outcome: string): string {
  return `SiteOutcome_${outcome}`;
}

let shared: Metrics | undefined;

/** The process's metrics of the site's side, in its deployment's stage. */
export function siteMetrics(stage: string): Metrics {
  shared ??= new Metrics({ namespace: SITE_METRICS_NAMESPACE, serviceName: SITE_METRICS_SERVICE, defaultDimensions: { stage } });
  return shared;
}

/** Counts `name` once and publishes at once (each API call is its own invocation). */
export function countNow(metrics: Metrics, ...names: string[]): void {
  for (const name of names) metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}
