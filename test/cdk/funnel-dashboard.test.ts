/**
 * The funnel dashboard in the synthesized stack: one CloudWatch dashboard whose widgets graph the
 * funnel's steps from the metrics the functions publish, under the names they publish them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FUNNEL_METRIC_NAMES, FUNNEL_METRICS_NAMESPACE, FUNNEL_METRICS_SERVICE } from '#adapters/funnel-metrics';
import {
  DELIVERY_METRICS_NAMESPACE,
  DELIVERY_SERVICE_NAME,
  LEADS_DELIVERED_METRIC,
  OUTCOME_METRICS,
} from '#adapters/outbox-delivery';
import { SITE_METRIC_NAMES, SITE_METRICS_NAMESPACE, SITE_METRICS_SERVICE, outcomeMetricName } from '#adapters/site-metrics';
import { FUNNEL_DASHBOARD_METRICS } from '#lib/funnel-dashboard-construct';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

interface DashboardBody {
  start: string;
  periodOverride: string;
  widgets: {
    type: string;
    properties: { title?: string; markdown?: string; metrics?: unknown[][]; view?: string; period?: number };
  }[];
}

describe('the funnel dashboard', () => {
  let synthesized: SynthesizedStack;
  let body: DashboardBody;

  beforeAll(() => {
    // Not bundled: the dashboard reads no function code. A stage other than the default, to see it in the dimensions.
    synthesized = synthesizeStack({ bundle: false, context: { stage: 'staging' } });
    const dashboards = Object.values(synthesized.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    body = JSON.parse(resolveJoin(dashboards[0]!.Properties.DashboardBody)) as DashboardBody;
  });
  afterAll(() => synthesized.cleanUp());

  /** The dashboard body is a Fn::Join of strings and region/stack tokens; the tokens become placeholders. */
  function resolveJoin(value: unknown): string {
    if (typeof value === 'string') return value;
    const join = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    return join[1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join(join[0]);
  }

  const widget = (title: string) => body.widgets.find((candidate) => candidate.properties.title === title)!;
  /** `[namespace, metricName, dim, value, ...]` rows of a widget, as CloudWatch stores them. */
  const metricNames = (title: string) => widget(title).properties.metrics!.map((row) => `${row[0]}/${row[1]}`);

  it('shows every funnel step, in order, as totals over the selected range and per week', () => {
    const steps = [
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.screenings}`,
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.possiblyEligible}`,
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.eligible}`,
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.leadsReferred}`,
      `${DELIVERY_METRICS_NAMESPACE}/${LEADS_DELIVERED_METRIC}`,
      `${SITE_METRICS_NAMESPACE}/${outcomeMetricName('contacted')}`,
      `${SITE_METRICS_NAMESPACE}/${outcomeMetricName('enrolled')}`,
    ];

    expect(metricNames('Funnel over the selected range')).toEqual(steps);
    expect(metricNames('Funnel per week')).toEqual(steps);
    expect(widget('Funnel per week').properties).toMatchObject({ view: 'bar', period: 7 * 24 * 3600 });
  });

  it('graphs what leaks out per day: urgent-care stops, failed messages and bounces', () => {
    expect(metricNames('Screenings and referrals per day')).toEqual([
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.screenings}`,
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.urgentCare}`,
      `${FUNNEL_METRICS_NAMESPACE}/${FUNNEL_METRIC_NAMES.referrals}`,
    ]);
    expect(metricNames('Leads delivered, failed and bounced per day')).toEqual([
      `${DELIVERY_METRICS_NAMESPACE}/${LEADS_DELIVERED_METRIC}`,
      `${DELIVERY_METRICS_NAMESPACE}/${OUTCOME_METRICS.failed}`,
      `${SITE_METRICS_NAMESPACE}/${SITE_METRIC_NAMES.bounced}`,
    ]);
  });

  it('reads each metric under the dimensions its publisher uses (service, and the stage where it is one)', () => {
    const dimensionsOf = (title: string, metricName: string) => {
      const row = widget(title).properties.metrics!.find((candidate) => candidate[1] === metricName)!;
      const dimensions: Record<string, unknown> = {};
      for (let index = 2; index + 1 < row.length && typeof row[index] === 'string'; index += 2)
        dimensions[row[index] as string] = row[index + 1];
      return dimensions;
    };

    expect(dimensionsOf('Funnel per week', FUNNEL_METRIC_NAMES.screenings)).toEqual({
      service: FUNNEL_METRICS_SERVICE,
      stage: 'staging',
    });
    expect(dimensionsOf('Funnel per week', LEADS_DELIVERED_METRIC)).toEqual({ service: DELIVERY_SERVICE_NAME, stage: 'staging' });
    expect(dimensionsOf('Funnel per week', outcomeMetricName('enrolled'))).toEqual({
      service: SITE_METRICS_SERVICE,
      stage: 'staging',
    });
  });

  it('names the same metrics the publishers publish', () => {
    const { funnel, delivery, site } = FUNNEL_DASHBOARD_METRICS;
    expect(FUNNEL_DASHBOARD_METRICS.namespace).toBe(FUNNEL_METRICS_NAMESPACE);
    expect([DELIVERY_METRICS_NAMESPACE, SITE_METRICS_NAMESPACE]).toEqual([FUNNEL_METRICS_NAMESPACE, FUNNEL_METRICS_NAMESPACE]);
    const { service, ...funnelNames } = funnel;
    expect(service).toBe(FUNNEL_METRICS_SERVICE);
    expect(funnelNames).toEqual(FUNNEL_METRIC_NAMES);
    expect(delivery).toEqual({
      service: DELIVERY_SERVICE_NAME,
      leadsDelivered: LEADS_DELIVERED_METRIC,
      messagesFailed: OUTCOME_METRICS.failed,
    });
    expect(site).toEqual({
      service: SITE_METRICS_SERVICE,
      contacted: outcomeMetricName('contacted'),
      enrolled: outcomeMetricName('enrolled'),
      bounced: SITE_METRIC_NAMES.bounced,
    });
  });

  it('opens on the last twelve weeks with each graph keeping its own period, and says where the full report is', () => {
    expect(body.start).toBe('-P84D');
    expect(body.periodOverride).toBe('inherit');
    expect(body.widgets[0]!.properties.markdown).toContain('trial-screener report');
  });
});
