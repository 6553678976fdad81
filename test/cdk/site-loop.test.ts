/**
 * The site's side in the synthesized template: the email-event recorder on the configuration
 * set's event topic, the site alarms on the alarm topic, the lead page rewrite in CloudFront, and
 * metric names that match the functions'.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { SITE_METRIC_NAMES, SITE_METRICS_NAMESPACE, SITE_METRICS_SERVICE } from '#adapters/site-metrics';
import { SITE_LEAD_PAGE_PREFIX } from '#core/site-leads';
import { LEAD_PAGE_PATH, leadPageRewriteCode } from '#lib/web-construct';
import { SITE_METRICS } from '#lib/site-loop-construct';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

let synthesized: SynthesizedStack;
let template: Template;

beforeAll(() => {
  synthesized = synthesizeStack({ bundle: false });
  template = synthesized.template;
});

afterAll(() => synthesized?.cleanUp());

describe('the site loop in AWS', () => {
  it('subscribes the email-event recorder to the configuration set’s event topic', () => {
    const functions = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('^Records SES delivery') },
    });
    const [fnId] = Object.keys(functions);
    expect(fnId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda', Endpoint: { 'Fn::GetAtt': [fnId, 'Arn'] } });
  });

  it.each(['SitesPaused', 'LeadsBounced', 'LeadsUnanswered', 'EmailComplaints'])('alarms the operator on %s', (metricName) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: metricName,
      Namespace: SITE_METRICS_NAMESPACE,
      Dimensions: Match.arrayWith([
        { Name: 'service', Value: SITE_METRICS_SERVICE },
        { Name: 'stage', Value: 'prod' }, // cdk.json's stage, which the test stack keeps
      ]),
      Threshold: 0,
      AlarmActions: [Match.anyValue()],
    });
  });

  it('serves the lead page for every site/leads/<leadId> path', () => {
    template.hasResourceProperties('AWS::CloudFront::Function', {
      FunctionCode: Match.stringLikeRegexp(`${LEAD_PAGE_PATH}/index.html`),
    });
    expect(SITE_LEAD_PAGE_PREFIX).toBe(`/${LEAD_PAGE_PATH}/`);
  });

  it.each([
    ['/site/leads/lead-123', '/site/leads/index.html'],
    ['/site/leads/lead-123/', '/site/leads/index.html'],
    ['/site/leads/lead-123/extra', '/site/leads/lead-123/extra'],
    ['/index.html', '/index.html'],
    ['/assets/site-lead.js', '/assets/site-lead.js'],
  ])('its lead page function compiles and sends %s to %s', (uri, servedUri) => {
    // The code CloudFront runs, evaluated as it is deployed (a syntax error here fails the deploy).
    const handler = new Function(`${leadPageRewriteCode()}; return handler;`)() as (event: { request: { uri: string } }) => {
      uri: string;
    };
    expect(handler({ request: { uri } }).uri).toBe(servedUri);
    template.hasResourceProperties('AWS::CloudFront::Function', { FunctionCode: leadPageRewriteCode() });
  });

  it('names the metrics as the functions publish them', () => {
    expect(SITE_METRICS).toEqual({ namespace: SITE_METRICS_NAMESPACE, service: SITE_METRICS_SERVICE });
    expect(Object.values(SITE_METRIC_NAMES)).toEqual(
      expect.arrayContaining(['SitesPaused', 'LeadsBounced', 'LeadsUnanswered', 'EmailComplaints']),
    );
  });
});
