import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type ITable, Operation } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionSpec } from '#functions/function-manifest';

/** Published by the reconciler (`functions/adapters/outbox-delivery.ts`; a CDK test proves the names agree). */
export const OLDEST_DUE_METRIC = 'OldestDueMessageAgeSeconds';

/**
 * Where the delivery functions publish their Powertools metrics (namespace and `service`). The
 * adapter (`functions/adapters/outbox-delivery.ts`) cannot be imported here (it pulls in the AWS
 * SDK); a CDK test proves the two agree.
 */
export const DELIVERY_METRICS = { namespace: 'TrialScreener', service: 'outbox-delivery' } as const;

export interface MonitoredFunction {
  readonly spec: FunctionSpec;
  readonly fn: IFunction;
}

export interface MonitoringConstructProps {
  /** The deployment's stage: the delivery metrics are published with it as a dimension. */
  readonly stage: string;
  readonly key: IKey;
  readonly alarmEmail?: string | undefined;
  readonly api: RestApi;
  readonly table: ITable;
  readonly httpFunctions: readonly MonitoredFunction[];
  readonly streamFunctions: readonly MonitoredFunction[];
  readonly scheduledFunctions: readonly MonitoredFunction[];
  readonly deadLetterQueue: IQueue;
}

const PERIOD = Duration.minutes(5);
/** A lead stream that is this far behind means delivery has stalled. */
const MAX_ITERATOR_AGE = Duration.minutes(10);
/** Share of API requests answered with a 5xx that is worth waking someone for... */
const MAX_SERVER_ERROR_PERCENT = 5;
/** ...once there are enough requests for a share to mean anything (1 error in 2 requests does not). */
const MIN_REQUESTS_FOR_ERROR_RATE = 20;
/**
 * A due message waiting this long means delivery has stalled: the reconciler runs every few
 * minutes and moves every message it meets (sent, rescheduled with backoff, held or failed).
 */
const MAX_OLDEST_DUE_AGE = Duration.minutes(30);
/**
 * SES reviews an account at a 5% bounce rate and a 0.1% complaint rate (and may pause sending at
 * 10% and 0.5%); the alarms fire before the review.
 */
const MAX_BOUNCE_RATE = 0.04;
const MAX_COMPLAINT_RATE = 0.0008;
/** The table operations the functions use (transactions included), for throttle and error metrics. */
const TABLE_OPERATIONS = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.TRANSACT_WRITE_ITEMS,
];

const OPERATOR_CLI = 'the operator CLI (`npx trial-screener leads list --status FAILED`, `leads redrive`)';

/**
 * How many evaluation periods an alarm looks at and how many must breach: `once` for conditions
 * where every occurrence matters (a dead letter, a failed lead), `sustained` (2 of 3 periods) where
 * a single blip is noise (one timeout, one throttled burst).
 */
const ONCE = { evaluationPeriods: 1, datapointsToAlarm: 1 } as const;
const SUSTAINED = { evaluationPeriods: 3, datapointsToAlarm: 2 } as const;

interface AlarmOptions {
  readonly metric: IMetric;
  readonly threshold: number;
  readonly description: string;
  readonly datapoints: typeof ONCE | typeof SUSTAINED;
  readonly comparison?: ComparisonOperator;
  /** Default: no data is no problem. A metric that must always arrive says BREACHING. */
  readonly treatMissingData?: TreatMissingData;
}

/**
 * Alarms that each mean something an operator must act on, with the action in the description
 * (and in the README's runbook), published to an encrypted SNS topic (optionally with an email
 * subscription). New functions get their alarms with {@link watchFunction}.
 */
export class MonitoringConstruct extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: MonitoringConstructProps) {
    super(scope, id);
    this.stage = props.stage;

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'trial-screener alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarms to an encrypted topic only if the key policy lets it.
    props.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchPublishesAlarmsOfThisAccount',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.alarm('DeadLetterQueueNotEmpty', {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
      threshold: 0,
      datapoints: ONCE,
      description:
        'A batch of lead stream records failed every retry and reached the dead-letter queue. The leads are ' +
        'still in the table: check the delivery function logs for the cause, fix it, then re-drive with ' +
        `${OPERATOR_CLI}. Purge the queue once the leads are delivered.`,
    });

    for (const monitored of [...props.streamFunctions, ...props.scheduledFunctions, ...props.httpFunctions])
      this.watchFunction(monitored);
    for (const { spec, fn } of props.streamFunctions) {
      this.alarm(`${fn.node.id}IteratorAge`, {
        metric: fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        threshold: MAX_ITERATOR_AGE.toMilliseconds(),
        datapoints: ONCE,
        description:
          `${spec.name} is more than ${MAX_ITERATOR_AGE.toMinutes()} minutes behind the table stream: new leads ` +
          'wait. Check the function for errors, throttles or SES throttling; raise its concurrency if it is just slow.',
      });
    }

    this.alarm('MessagesFailed', {
      metric: this.deliveryMetric('MessagesFailed'),
      threshold: 0,
      datapoints: ONCE,
      description:
        'Leads or confirmations were marked FAILED: SES refused them permanently (for example a rejected ' +
        `address) or they stayed undeliverable for the whole delivery window. List them and their errors with ${OPERATOR_CLI}; ` +
        'fix the address or the SES setup and re-drive.',
    });
    this.alarm('MessagesHeld', {
      metric: this.deliveryMetric('MessagesHeld'),
      threshold: 0,
      datapoints: ONCE,
      description:
        'Email is held, not sent, and retried later. Either no recipient is approved (set catalogContactsApproved=true ' +
        'only if the catalog contacts are yours to use, or recipientOverride for staging, and redeploy), or SES ' +
        'refused in a way the operator must fix: the sender identity is not verified yet, the account is in the SES ' +
        'sandbox and the recipient is not verified, or AccessDenied (sending paused, policy). The delivery logs name ' +
        'the reason; held messages go out by themselves once it is fixed, within the delivery window.',
    });
    this.alarm('OldestDueMessageAge', {
      metric: this.deliveryMetric(OLDEST_DUE_METRIC, { statistic: 'Maximum', period: Duration.minutes(10) }),
      threshold: MAX_OLDEST_DUE_AGE.toSeconds(),
      datapoints: SUSTAINED,
      // The reconciler publishes it every run: no data means the reconciler is not running.
      treatMissingData: TreatMissingData.BREACHING,
      description:
        `A lead or confirmation has been due for delivery for more than ${MAX_OLDEST_DUE_AGE.toMinutes()} minutes, ` +
        'or the reconciler stopped reporting (no data). Check the reconcile-leads errors and throttles alarms and logs, ' +
        `its schedule (EventBridge rule enabled?) and the table; ${OPERATOR_CLI} shows what waits.`,
    });

    this.alarm('ApiServerErrorRate', {
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS_FOR_ERROR_RATE}, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
          requests: props.api.metricCount({ period: PERIOD, statistic: 'Sum' }),
        },
        period: PERIOD,
        label: 'API 5xx %',
      }),
      threshold: MAX_SERVER_ERROR_PERCENT,
      datapoints: SUSTAINED,
      description:
        `More than ${MAX_SERVER_ERROR_PERCENT}% of API requests failed with a server error (in 2 of 3 five-minute ` +
        `periods with at least ${MIN_REQUESTS_FOR_ERROR_RATE} requests). Bad input never yields a 5xx, so this is a ` +
        'fault: check the function error alarms and logs (by request id), and DynamoDB.',
    });

    this.alarm('TableThrottles', {
      metric: props.table.metricThrottledRequestsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      threshold: 0,
      datapoints: SUSTAINED,
      description:
        'DynamoDB throttled requests to the table (on-demand tables throttle when traffic more than doubles its ' +
        'previous peak within 30 minutes, or at the table quota). Patients got errors and deliveries were retried. ' +
        'Check the traffic (genuine or abuse: WAF metrics) and the table quotas in Service Quotas.',
    });
    this.alarm('TableSystemErrors', {
      metric: props.table.metricSystemErrorsForOperations({ operations: TABLE_OPERATIONS, period: PERIOD }),
      threshold: 0,
      datapoints: SUSTAINED,
      description:
        'DynamoDB answered requests with internal server errors. The functions retry, but sustained errors mean ' +
        'an AWS-side problem: check the AWS Health Dashboard for DynamoDB in this region.',
    });

    this.alarm('SesBounceRate', {
      metric: sesReputationMetric('Reputation.BounceRate'),
      threshold: MAX_BOUNCE_RATE,
      datapoints: ONCE,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        `The account's SES bounce rate reached ${MAX_BOUNCE_RATE * 100}% (SES reviews the account at 5% and may pause ` +
        'sending at 10%). Find the bouncing addresses in the email-event topic or the delivery logs (MessagesFailed), ' +
        'correct the catalog contacts, and stop sending to them.',
    });
    this.alarm('SesComplaintRate', {
      metric: sesReputationMetric('Reputation.ComplaintRate'),
      threshold: MAX_COMPLAINT_RATE,
      datapoints: ONCE,
      comparison: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      description:
        `The account's SES complaint rate reached ${MAX_COMPLAINT_RATE * 100}% (SES reviews the account at 0.1% and ` +
        'may pause sending at 0.5%). Recipients marked the mail as spam: check which site contacts complain (email-event ' +
        'topic), confirm with the sites that they want the leads, and pause those sites.',
    });
  }

  /**
   * The alarms every function gets: errors, and throttles (for HTTP functions patients see them;
   * for delivery and the reconciler leads wait), each sustained over 2 of 3 periods.
   */
  watchFunction({ spec, fn }: MonitoredFunction): void {
    const what = spec.trigger.kind === 'http' ? 'patients got an error' : 'leads wait (they are retried from the table)';
    this.alarm(`${fn.node.id}Errors`, {
      metric: fn.metricErrors({ period: PERIOD }),
      threshold: 0,
      datapoints: SUSTAINED,
      description:
        `${spec.name} (${describeTrigger(spec)}) threw or timed out in 2 of the last 3 five-minute periods, so ${what}. ` +
        'Read its logs (by request or lead id), recent deployments and the SES sending status.',
    });
    this.alarm(`${fn.node.id}Throttles`, {
      metric: fn.metricThrottles({ period: PERIOD }),
      threshold: 0,
      datapoints: SUSTAINED,
      description:
        `${spec.name} (${describeTrigger(spec)}) was throttled by Lambda, so ${what}. Check the account's concurrent ` +
        'executions quota (new accounts may have 10; request more in Service Quotas) and whether the traffic is genuine (WAF metrics).',
    });
  }

  private alarm(id: string, options: AlarmOptions): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
      ...options.datapoints,
      treatMissingData: options.treatMissingData ?? TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }

  /** A delivery metric of this stage (see {@link DELIVERY_METRICS}). */
  private deliveryMetric(metricName: string, options: { statistic?: string; period?: Duration } = {}): Metric {
    return new Metric({
      namespace: DELIVERY_METRICS.namespace,
      metricName,
      dimensionsMap: { service: DELIVERY_METRICS.service, stage: this.stage },
      period: options.period ?? PERIOD,
      statistic: options.statistic ?? 'Sum',
    });
  }
}

/** SES publishes the account's reputation rates (no dimension) about hourly. */
function sesReputationMetric(metricName: string): Metric {
  return new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
}

function describeTrigger(spec: FunctionSpec): string {
  if (spec.trigger.kind === 'http') return `${spec.trigger.method} ${spec.trigger.path}`;
  return spec.trigger.kind === 'schedule' ? 'scheduled' : 'table stream';
}
