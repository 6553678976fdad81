import { Duration, Stack } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  ComparisonOperator,
  MathExpression,
  Metric,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../functions/function-manifest';

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
  readonly key: IKey;
  readonly alarmEmail?: string | undefined;
  readonly api: RestApi;
  readonly httpFunctions: readonly MonitoredFunction[];
  readonly streamFunctions: readonly MonitoredFunction[];
  readonly scheduledFunctions: readonly MonitoredFunction[];
  readonly deadLetterQueue: IQueue;
}

const PERIOD = Duration.minutes(5);
/** A lead stream that is this far behind means delivery has stalled. */
const MAX_ITERATOR_AGE = Duration.minutes(10);
/** Share of API requests answered with a 5xx that is worth waking someone for. */
const MAX_SERVER_ERROR_PERCENT = 5;

const OPERATOR_CLI = 'the operator CLI (`npx trial-screener leads list --status FAILED`, `leads redrive`)';

/**
 * Alarms that each mean something an operator must act on, with the action in the description,
 * published to an encrypted SNS topic (optionally with an email subscription).
 */
export class MonitoringConstruct extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: MonitoringConstructProps) {
    super(scope, id);

    this.topic = new Topic(this, 'AlarmTopic', {
      displayName: 'trial-screener alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // CloudWatch publishes alarms to an encrypted topic only if the key policy lets it.
    props.key.addToResourcePolicy(
      new PolicyStatement({
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
      description:
        'A batch of lead stream records failed every retry and reached the dead-letter queue. The leads are ' +
        'still in the table: check the delivery function logs for the cause, fix it, then re-drive with ' +
        `${OPERATOR_CLI}. Purge the queue once the leads are delivered.`,
    });

    for (const { spec, fn } of [...props.streamFunctions, ...props.scheduledFunctions]) {
      this.alarm(`${fn.node.id}Errors`, {
        metric: fn.metricErrors({ period: PERIOD }),
        threshold: 0,
        description:
          `${spec.name} failed (threw or timed out). Leads are retried and re-driven from the table, but ` +
          'repeated errors mean none get through: read the function logs (by lead id) and check SES sending status.',
      });
    }
    for (const { spec, fn } of props.streamFunctions) {
      this.alarm(`${fn.node.id}IteratorAge`, {
        metric: fn.metric('IteratorAge', { period: PERIOD, statistic: 'Maximum' }),
        threshold: MAX_ITERATOR_AGE.toMilliseconds(),
        description:
          `${spec.name} is more than ${MAX_ITERATOR_AGE.toMinutes()} minutes behind the table stream: new leads ` +
          'wait. Check the function for errors, throttles or SES throttling; raise its concurrency if it is just slow.',
      });
    }

    this.alarm('MessagesFailed', {
      metric: deliveryMetric('MessagesFailed'),
      threshold: 0,
      description:
        'Leads were marked FAILED after their last delivery attempt (for example a rejected address). ' +
        `List them and their errors with ${OPERATOR_CLI}; fix the address or the SES setup and re-drive.`,
    });
    this.alarm('MessagesHeld', {
      metric: deliveryMetric('MessagesHeld'),
      threshold: 0,
      description:
        'Leads are held (not emailed) because the catalog\'s site contacts are not approved and no recipient ' +
        'override is set. Either set the context key catalogContactsApproved=true (only if the catalog\'s ' +
        'contacts are yours to use) or recipientOverride, redeploy, then re-drive the held leads.',
    });

    this.alarm('ApiServerErrorRate', {
      metric: new MathExpression({
        expression: `IF(requests > 0, 100 * errors / requests, 0)`,
        usingMetrics: {
          errors: props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
          requests: props.api.metricCount({ period: PERIOD, statistic: 'Sum' }),
        },
        period: PERIOD,
        label: 'API 5xx %',
      }),
      threshold: MAX_SERVER_ERROR_PERCENT,
      description:
        `More than ${MAX_SERVER_ERROR_PERCENT}% of API requests failed with a server error. Bad input never ` +
        'yields a 5xx, so this is a fault: check the function error alarms and logs (by request id), and DynamoDB.',
    });

    for (const { spec, fn } of props.httpFunctions) {
      this.alarm(`${fn.node.id}Errors`, {
        metric: fn.metricErrors({ period: PERIOD }),
        threshold: 0,
        description:
          `${spec.name} (${describeRoute(spec)}) threw or timed out, so patients got an error. Read its logs ` +
          '(by request id) and recent deployments.',
      });
      this.alarm(`${fn.node.id}Throttles`, {
        metric: fn.metricThrottles({ period: PERIOD }),
        threshold: 0,
        description:
          `${spec.name} (${describeRoute(spec)}) was throttled by Lambda: patients got errors. Check the ` +
          'account concurrency quota and whether the traffic is genuine (WAF rate rule metrics).',
      });
    }
  }

  private alarm(id: string, options: { metric: IMetric; threshold: number; description: string }): Alarm {
    const alarm = new Alarm(this, id, {
      metric: options.metric,
      threshold: options.threshold,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: options.description,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
    return alarm;
  }
}

function deliveryMetric(metricName: string): Metric {
  return new Metric({
    namespace: DELIVERY_METRICS.namespace,
    metricName,
    dimensionsMap: { service: DELIVERY_METRICS.service },
    period: PERIOD,
    statistic: 'Sum',
  });
}

function describeRoute(spec: FunctionSpec): string {
  return spec.trigger.kind === 'http' ? `${spec.trigger.method} ${spec.trigger.path}` : spec.trigger.kind;
}
