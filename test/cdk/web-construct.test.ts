/** Web hosting on the operator's own domain: TLS 1.2 or later, which the default certificate cannot pin. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS, REFERRER_POLICY } from '#functions/contract/http';
import { WebConstruct } from '#lib/web-construct';
import { fakeWebBuild } from './synthesize';

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';

let webAssetsPath: string;
let outdir: string;
let stack: Stack;
let web: WebConstruct;

beforeAll(() => {
  webAssetsPath = fakeWebBuild();
  outdir = mkdtempSync(join(tmpdir(), 'trial-screener-cdk-'));
  stack = new Stack(new App({ outdir }), 'Web', { env: { account: '123456789012', region: 'eu-west-1' } });
  web = new WebConstruct(stack, 'Web', {
    apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/',
    apiOrigin: 'https://abc123.execute-api.eu-west-1.amazonaws.com',
    key: new Key(stack, 'Key', { enableKeyRotation: true }),
    logRetention: RetentionDays.ONE_YEAR,
    logRetentionDays: 365,
    webAssetsPath,
    customDomain: { domainName: 'screener.example.org', certificateArn: CERTIFICATE_ARN },
  });
});

afterAll(() => {
  rmSync(webAssetsPath, { recursive: true, force: true });
  rmSync(outdir, { recursive: true, force: true });
});

describe('web app on a custom domain', () => {
  it('serves the domain with its certificate and TLS 1.2 or later', () => {
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: {
        Aliases: ['screener.example.org'],
        ViewerCertificate: {
          AcmCertificateArn: CERTIFICATE_ARN,
          MinimumProtocolVersion: 'TLSv1.2_2021',
          SslSupportMethod: 'sni-only',
        },
      },
    });
  });

  it("sends the contract's Content-Security-Policy, connecting only to the page and the API", () => {
    Template.fromStack(stack).hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: {
          ContentSecurityPolicy: {
            ContentSecurityPolicy: contentSecurityPolicy({ connectTo: ['https://abc123.execute-api.eu-west-1.amazonaws.com'] }),
            Override: true,
          },
          StrictTransportSecurity: { AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS },
          ReferrerPolicy: { ReferrerPolicy: REFERRER_POLICY },
        },
      },
    });
  });

  it('uses the domain as the web origin', () => {
    expect(web.origin).toBe('https://screener.example.org');
  });

  it('keeps the CloudFront domain among the web origins, so links already emailed with it still work', () => {
    const [, distributionOrigin] = web.origins;

    expect(web.origins).toHaveLength(2);
    expect(web.origins[0]).toBe('https://screener.example.org');
    expect(JSON.stringify(stack.resolve(distributionOrigin))).toContain('DomainName');
  });

  it('satisfies the TLS rule of cdk-nag without an acknowledgement', () => {
    const violations = new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName);

    expect(violations).not.toContain('AwsSolutions-CFR4');
  });
});
