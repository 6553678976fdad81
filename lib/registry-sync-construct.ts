import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { registrySyncFunction, type RegistrySyncFunctionSpec } from '#functions/function-manifest';
import { createManifestFunction, type ManifestFunctionOptions } from './lambda-function';

/**
 * Where the sync function publishes its Powertools metrics (namespace and `service`). The job
 * (`functions/sync-registry/sync-job.ts`) cannot be imported here (it pulls in the AWS SDK); a CDK
 * test proves the two agree.
 */
export const REGISTRY_SYNC_METRIC_NAMESPACE = { namespace: 'TrialScreener', service: 'registry-sync' } as const;

export interface RegistrySyncConstructProps extends ManifestFunctionOptions {
  /** An EventBridge schedule expression (`rate(1 day)`, `cron(0 5 * * ? *)`), validated by the stack config. */
  readonly schedule: string;
  readonly alarmTopic: ITopic;
}

/**
 * The scheduled registry sync: the `sync-registry` function of the manifest, run on the
 * operator's schedule, with two alarms that mean something: the sync failed (nothing was
 * published, the catalog keeps its last version and ages), and a trial patients were referred to
 * has a record that is no longer current (confirm it with the site: `trials confirm`).
 *
 * Egress: a Lambda function outside a VPC can reach any internet host; AWS offers no per-domain
 * egress control for it. Restricting it to the registry's host would need a VPC with a NAT
 * gateway and AWS Network Firewall (a domain allow-list), a fixed monthly cost this stack does not
 * impose. The function only ever calls the configured `registryApiUrl` and DynamoDB.
 */
export class RegistrySyncConstruct extends Construct {
  readonly spec: RegistrySyncFunctionSpec;
  readonly fn: NodejsFunction;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: RegistrySyncConstructProps) {
    super(scope, id);
    this.spec = registrySyncFunction();
    this.fn = createManifestFunction(this, this.spec, props);

    new Rule(this, 'Schedule', {
      description: `Runs ${this.spec.name} (${props.schedule})`,
      schedule: Schedule.expression(props.schedule),
      // A failed run is retried twice within the hour; after that the next scheduled run catches
      // up (it is incremental from the last successful one) and the error alarm has fired.
      targets: [new LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });
    Validations.of(this.fn).acknowledge({
      id: 'HIPAA.Security-LambdaDLQ',
      reason:
        'The scheduled event carries no data and the sync is incremental from its last success: a failed run is ' +
        'retried by EventBridge and by the next scheduled run, and alarms through SyncFailed.',
    });

    const action = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, options: { metric: Metric; description: string }) => {
      const created = new Alarm(this, alarmId, {
        metric: options.metric,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: options.description,
      });
      created.addAlarmAction(action);
      created.addOkAction(action);
      this.alarms.push(created);
    };
    alarm('SyncFailed', {
      metric: this.fn.metricErrors({ period: Duration.hours(1) }),
      description:
        'The registry sync failed (an API error after retries, a truncated or malformed page, or a timeout). Nothing ' +
        'was published: the catalog keeps its last version and its records keep ageing. Read the sync-registry logs, ' +
        'or run `npx trial-screener trials sync --dry-run` to see the error.',
    });
    alarm('StaleTrialsWithLeads', {
      metric: new Metric({
        namespace: REGISTRY_SYNC_METRIC_NAMESPACE.namespace,
        metricName: 'StaleTrialsWithLeads',
        dimensionsMap: { service: REGISTRY_SYNC_METRIC_NAMESPACE.service },
        period: Duration.hours(1),
        statistic: 'Maximum',
      }),
      description:
        'A recruiting trial that patients were referred to has a registry record older than maxRecordAgeDays (or past ' +
        'its anticipated primary completion): it takes no new referrals. The sync-registry log names it; check with the ' +
        'site and record it with `npx trial-screener trials confirm <nctId> --by <name>` then `trials load`, or let it go.',
    });
  }
}
