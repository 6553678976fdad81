/**
 * The site's metrics carry the deployment's stage, as the funnel and delivery metrics do, so a
 * staging deployment's bounces and pauses never reach production's alarms in a shared account.
 */
import { describe, expect, it } from '@jest/globals';
import { OutputCapture } from '#test/setup/output-capture';
import { countNow, SITE_METRIC_NAMES, SITE_METRICS_NAMESPACE, SITE_METRICS_SERVICE, siteMetrics } from '#adapters/site-metrics';

/** The CloudWatch EMF documents written to stdout while `run` runs. */
function emfWrittenBy(run: () => void): Record<string, unknown>[] {
  return OutputCapture.during(run)
    .filter((line) => line.includes('"CloudWatchMetrics"'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the site metrics', () => {
  it('publish each count under the service and the deployment’s stage', () => {
    const [emf] = emfWrittenBy(() => countNow(siteMetrics('staging'), SITE_METRIC_NAMES.bounced));

    expect(emf).toMatchObject({ service: SITE_METRICS_SERVICE, stage: 'staging', [SITE_METRIC_NAMES.bounced]: 1 });
    expect(emf?._aws).toMatchObject({
      CloudWatchMetrics: [{ Namespace: SITE_METRICS_NAMESPACE, Dimensions: [expect.arrayContaining(['service', 'stage'])] }],
    });
  });
});
