import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SnsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { emailEventFunctions, type EmailEventFunctionSpec } from '#functions/function-manifest';
import { createManifestFunction, type EnvironmentValues } from './lambda-function';

/**
 * Where the site's side publishes its metrics (`functions/adapters/site-metrics.ts`, which cannot
 * be imported here: it pulls in Powertools); a CDK test proves the names agree.
 */
export const SITE_METRICS = { namespace: 'TrialScreener', service: 'site-leads' } as const;

export interface SiteLoopConstructProps {
  readonly table: ITable;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  readonly environment: EnvironmentValues;
  /** The deployment's stage: the site metrics carry it as a dimension, so the alarms read this stage's only. */
  readonly stage: string;
  /** The SES configuration set's event topic (delivery, bounce, complaint events). */
  readonly emailEvents: ITopic;
}

export interface EmailEventFunction {
  readonly spec: EmailEventFunctionSpec;
  readonly fn: NodejsFunction;
}

const PERIOD = Duration.minutes(5);

/**
 * The site's side of the loop in AWS: the email-event recorder subscribed to the configuration
 * set's event topic, and the alarms that tell the operator a site paused itself, an address
 * bounced, a recipient complained or leads sit unanswered. (The funnel's dashboard, which graphs
 * these metrics too, is `funnel-dashboard-construct.ts`.)
 */
export class SiteLoopConstruct extends Construct {
  readonly emailEventFunctions: readonly EmailEventFunction[];
  readonly alarms: Alarm[] = [];
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: SiteLoopConstructProps) {
    super(scope, id);
    this.stage = props.stage;

    this.emailEventFunctions = emailEventFunctions().map((spec) => {
      const fn = createManifestFunction(this, spec, props);
      fn.addEventSource(new SnsEventSource(props.emailEvents));
      Validations.of(fn).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          "Invoked asynchronously by SNS with Lambda's two retries; an event that still fails is only a delivery " +
          'report (the lead itself is in the table), and failures alarm through the function Errors alarm.',
      });
      return { spec, fn };
    });
  }

  /**
   * The site alarms, on the operator's alarm topic. (The recorder's own errors and throttles are
   * alarmed by the monitoring construct, as every function's are.)
   */
  alarmTo(topic: ITopic): void {
    const alarmMetric = (metricName: string, statistic = 'Sum', period = PERIOD) =>
      new Metric({
        namespace: SITE_METRICS.namespace,
        metricName,
        dimensionsMap: { service: SITE_METRICS.service, stage: this.stage },
        statistic,
        period,
      });
    this.alarm(
      'SitesPaused',
      alarmMetric('SitesPaused'),
      'A study site pressed "Stop sending leads to this site" on a lead page: it gets no new leads and patients see it as not ' +
        'taking referrals. Check with the site; `npx trial-screener sites list` shows why, `sites resume <trialId> <siteId>` undoes it.',
      topic,
    );
    this.alarm(
      'LeadsBounced',
      alarmMetric('LeadsBounced'),
      'A lead or confirmation email hard-bounced: it is BOUNCED (`npx trial-screener leads list --status BOUNCED`) and, for a ' +
        'site, its address is paused (`sites list`). Fix the contact in the catalog, then `sites resume --address <email>`.',
      topic,
    );
    this.alarm(
      'EmailComplaints',
      alarmMetric('EmailComplaints'),
      'A recipient marked a lead or confirmation email as spam. SES pauses accounts with many complaints: find the lead in the ' +
        "email-event recorder's logs and talk to the site.",
      topic,
    );
    this.alarm(
      'LeadsUnanswered',
      alarmMetric('LeadsUnanswered', 'Maximum', Duration.hours(1)),
      'Leads have had no outcome from their site for twice the reminder delay, even after a reminder. List them with ' +
        '`npx trial-screener leads list --unanswered` and call the sites; a site that no longer recruits can be paused.',
      topic,
    );
  }

  private alarm(id: string, metric: IMetric, description: string, topic: ITopic): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    const action = new SnsAction(topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}
