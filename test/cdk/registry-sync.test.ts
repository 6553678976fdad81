/**
 * The scheduled registry sync in the synthesized stack: the manifest's function, on the schedule
 * and search from CDK context, with its two alarms on the alarm topic.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { registrySyncFunction } from '#functions/function-manifest';
import { REGISTRY_SYNC_METRICS } from '#functions/sync-registry/sync-job';
import { REGISTRY_SYNC_METRIC_NAMESPACE } from '#lib/registry-sync-construct';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

describe('the registry sync construct', () => {
  let synthesized: SynthesizedStack;

  beforeAll(() => {
    synthesized = synthesizeStack({
      context: { registrySyncSchedule: 'cron(0 5 * * ? *)', registrySyncConditions: 'low back pain,sciatica' },
    });
  });
  afterAll(() => synthesized.cleanUp());

  const syncFunction = () => {
    const functions = synthesized.template.findResources('AWS::Lambda::Function', {
      Properties: { Description: registrySyncFunction().description },
    });
    const ids = Object.keys(functions);
    expect(ids).toHaveLength(1);
    return { id: ids[0]!, fn: functions[ids[0]!]! };
  };

  it("creates the manifest's sync function with the search from context", () => {
    const { fn } = syncFunction();

    expect(fn.Properties.Timeout).toBe(registrySyncFunction().timeoutSeconds);
    expect(fn.Properties.Environment.Variables).toMatchObject({
      REGISTRY_CONDITIONS: 'low back pain|sciatica',
      REGISTRY_API_URL: 'https://clinicaltrials.gov/api/v2',
      REGISTRY_SCREENER_IDS: 'lower-back-pain',
      MAX_RECORD_AGE_DAYS: '365',
    });
  });

  it('runs it on the schedule from context', () => {
    const { id } = syncFunction();

    synthesized.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 5 * * ? *)',
      Targets: Match.arrayWith([
        Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } }),
      ]),
    });
  });

  it('alarms on the alarm topic when a sync fails and when a trial with leads goes stale', () => {
    const { id } = syncFunction();
    const alarms = Object.values(synthesized.template.findResources('AWS::CloudWatch::Alarm'));

    const failed = alarms.find(
      (alarm) => alarm.Properties.MetricName === 'Errors' && JSON.stringify(alarm.Properties.Dimensions).includes(id),
    );
    const stale = alarms.find((alarm) => alarm.Properties.MetricName === 'StaleTrialsWithLeads');
    expect(failed?.Properties.AlarmActions).toHaveLength(1);
    expect(stale?.Properties).toMatchObject({
      Namespace: 'TrialScreener',
      Dimensions: [{ Name: 'service', Value: 'registry-sync' }],
    });
    expect(stale?.Properties.AlarmActions).toEqual(failed?.Properties.AlarmActions);
  });

  it('alarms on the metrics the sync job publishes', () => {
    expect(REGISTRY_SYNC_METRIC_NAMESPACE).toEqual(REGISTRY_SYNC_METRICS);
  });
});
