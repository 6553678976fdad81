import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  GraphWidgetView,
  type IWidget,
  Metric,
  PeriodOverride,
  SingleValueWidget,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/**
 * Where the funnel's metrics are published. The adapters that publish them
 * (`functions/adapters/funnel-metrics.ts`, `outbox-delivery.ts`, `site-metrics.ts`) cannot be
 * imported here (they pull in Powertools and the AWS SDK); `test/cdk/funnel-dashboard.test.ts`
 * proves the names agree.
 */
export const FUNNEL_DASHBOARD_METRICS = {
  namespace: 'TrialScreener',
  funnel: {
    service: 'funnel',
    screenings: 'Screenings',
    urgentCare: 'ScreeningsUrgentCare',
    eligible: 'TrialResultsEligible',
    possiblyEligible: 'TrialResultsPossiblyEligible',
    referrals: 'Referrals',
    leadsReferred: 'LeadsReferred',
  },
  delivery: { service: 'outbox-delivery', leadsDelivered: 'LeadsDelivered', messagesFailed: 'MessagesFailed' },
  site: { service: 'site-leads', contacted: 'SiteOutcome_contacted', enrolled: 'SiteOutcome_enrolled', bounced: 'LeadsBounced' },
} as const;

export interface FunnelDashboardConstructProps {
  /** The deployment's stage: the funnel and delivery metrics carry it as a dimension. */
  readonly stage: string;
}

/** The dashboard opens on the last 12 weeks, the range `trial-screener report` is usually read over. */
const DEFAULT_RANGE = Duration.days(7 * 12);
const WEEK = Duration.days(7);
const DAY = Duration.days(1);

/** A half-width graph of daily sums. */
function dailyGraph(title: string, metrics: Metric[]): GraphWidget {
  return new GraphWidget({ title, width: 12, height: 6, left: metrics, period: DAY, leftYAxis: { min: 0, showUnits: false } });
}

/**
 * The recruitment funnel on a CloudWatch dashboard: totals over the chosen range (screenings,
 * eligible and possibly eligible trial results, leads referred, delivered, site outcomes
 * "contacted" and "enrolled"), the same steps per week, and per day what leaks out (urgent-care
 * stops, failed messages, bounces). Live counts as events happen; the per-trial, per-site and
 * per-criterion figures come from `trial-screener report`, which counts the stored records.
 */
export class FunnelDashboardConstruct extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: FunnelDashboardConstructProps) {
    super(scope, id);
    const { namespace, funnel, delivery, site } = FUNNEL_DASHBOARD_METRICS;
    const staged = (service: string) => ({ service, stage: props.stage });
    const metric = (metricName: string, dimensionsMap: Record<string, string>, label: string, period = WEEK) =>
      new Metric({ namespace, metricName, dimensionsMap, statistic: 'Sum', period, label });

    const steps = (period?: Duration) => [
      metric(funnel.screenings, staged(funnel.service), 'Screenings', period),
      metric(funnel.possiblyEligible, staged(funnel.service), 'Possibly eligible (trial results)', period),
      metric(funnel.eligible, staged(funnel.service), 'Eligible (trial results)', period),
      metric(funnel.leadsReferred, staged(funnel.service), 'Referred (leads)', period),
      metric(delivery.leadsDelivered, staged(delivery.service), 'Delivered (leads)', period),
      metric(site.contacted, staged(site.service), 'Contacted (site outcomes)', period),
      metric(site.enrolled, staged(site.service), 'Enrolled (site outcomes)', period),
    ];

    const widgets: IWidget[][] = [
      [
        new TextWidget({
          width: 24,
          height: 2,
          markdown:
            `## Recruitment funnel (${props.stage})\n` +
            'Live counts, no patient data. Per trial, site, week and criterion: `npx trial-screener report --table <TableName>` ' +
            '(`--html report.html` for charts). A screening adds one eligible or possibly eligible result per trial it qualifies for.',
        }),
      ],
      [
        new SingleValueWidget({
          title: 'Funnel over the selected range',
          width: 24,
          height: 4,
          metrics: steps(),
          setPeriodToTimeRange: true,
        }),
      ],
      [
        new GraphWidget({
          title: 'Funnel per week',
          width: 24,
          height: 7,
          view: GraphWidgetView.BAR,
          left: steps(WEEK),
          period: WEEK,
          leftYAxis: { min: 0, showUnits: false },
        }),
      ],
      [
        dailyGraph('Screenings and referrals per day', [
          metric(funnel.screenings, staged(funnel.service), 'Screenings', DAY),
          metric(funnel.urgentCare, staged(funnel.service), 'Stopped for urgent care', DAY),
          metric(funnel.referrals, staged(funnel.service), 'Referrals', DAY),
        ]),
        dailyGraph('Leads delivered, failed and bounced per day', [
          metric(delivery.leadsDelivered, staged(delivery.service), 'Delivered', DAY),
          metric(delivery.messagesFailed, staged(delivery.service), 'Failed (leads and confirmations)', DAY),
          metric(site.bounced, staged(site.service), 'Bounced', DAY),
        ]),
      ],
    ];

    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: DEFAULT_RANGE,
      periodOverride: PeriodOverride.INHERIT,
      widgets,
    });
  }
}
