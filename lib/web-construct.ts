import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DefaultStackSynthesizer, Duration, Lazy, Stack, Token, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { CfnPolicy } from 'aws-cdk-lib/aws-iam';
import { Construct, type IConstruct } from 'constructs';
import { PROJECT_ROOT } from './lambda-function';
import { contentSecurityPolicy, HSTS_MAX_AGE_SECONDS, WEB_CONFIG_FILE, type WebConfig } from '#functions/contract/http';
import { uniquePhysicalName } from './names';
import { RETAIN_STATEFUL } from './stateful';

const BOOTSTRAP_QUALIFIER_CONTEXT = '@aws-cdk/core:bootstrapQualifier';

/**
 * The lead page's folder in the build (`web/site/leads/index.html`), as `SITE_LEAD_PAGE_PREFIX`
 * in `functions/core/site-leads.ts` names it (a CDK test checks the two agree).
 */
export const LEAD_PAGE_PATH = 'site/leads';

/**
 * The CloudFront function (JS 2.0 runtime) that serves the lead page for `site/leads/<leadId>`.
 * The pattern is a RegExp turned into its literal, so its slashes come out escaped: written by hand
 * inside a template string, `\/` loses its backslash and the function no longer compiles.
 */
export function leadPageRewriteCode(): string {
  const leadPage = new RegExp(`^/${LEAD_PAGE_PATH}/[^/]+/?$`);
  return `function handler(event) { var request = event.request; if (${leadPage}.test(request.uri)) { request.uri = '/${LEAD_PAGE_PATH}/index.html'; } return request; }`;
}

/** Where `npm run build:web` writes the patient form. */
export const DEFAULT_WEB_ASSETS_PATH = join(PROJECT_ROOT, 'web', 'dist');

export interface WebConstructProps {
  /** The API stage URL, written to `config.json` for the web app to find the API. */
  readonly apiUrl: string;
  /** The API origin, the only other origin the page may connect to (Content-Security-Policy). */
  readonly apiOrigin: string;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** Access logs are kept this many days in the log bucket. */
  readonly logRetentionDays: number;
  /** The built web app (default `web/dist`); must contain `index.html`. */
  readonly webAssetsPath?: string;
  /** Optional custom domain with its ACM certificate (in us-east-1, as CloudFront requires). */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string };
}

/**
 * Hosting of the patient form: a private, versioned S3 bucket served only through CloudFront
 * (origin access control), strict security headers, access logs, and a deployment of the built
 * app plus a generated `config.json` naming the API.
 */
export class WebConstruct extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  /**
   * `https://host` of the web app, as browsers send it in the `Origin` header: the custom domain
   * when one is set, else the CloudFront domain. Links in emails use it.
   */
  readonly origin: string;
  /**
   * Every origin the app is served from: {@link origin} and, when a custom domain is set, the
   * CloudFront domain as well, which keeps serving the app, so links already emailed with it
   * (erasure links) keep working after the switch.
   */
  readonly origins: readonly string[];

  constructor(scope: Construct, id: string, props: WebConstructProps) {
    super(scope, id);
    const webAssetsPath = props.webAssetsPath ?? DEFAULT_WEB_ASSETS_PATH;
    if (!existsSync(join(webAssetsPath, 'index.html'))) {
      throw new Error(
        `The web app is not built: ${join(webAssetsPath, 'index.html')} is missing. Run \`npm run build:web\` first.`,
      );
    }

    this.logBucket = new Bucket(this, 'AccessLogBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // S3 server access logging delivers only to buckets encrypted with S3-managed keys.
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      // CloudFront standard logs are delivered with an ACL grant, so this bucket keeps ACLs.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(props.logRetentionDays), noncurrentVersionExpiration: Duration.days(1) }],
      removalPolicy: RETAIN_STATEFUL,
    });
    Validations.of(this.logBucket).acknowledge(
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason: 'S3 server access logs can only be delivered to a bucket encrypted with S3-managed keys (SSE-S3).',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'Access logs of static assets; they expire with the log retention and need no second region.',
      },
    );

    this.bucket = new Bucket(this, 'AssetBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 's3/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RETAIN_STATEFUL,
    });
    Validations.of(this.bucket).acknowledge(
      {
        id: 'HIPAA.Security-S3DefaultEncryptionKMS',
        reason:
          'The bucket holds only the public static web app (no patient data); SSE-S3 avoids a KMS call on ' +
          'every CloudFront origin fetch.',
      },
      {
        id: 'HIPAA.Security-S3BucketReplicationEnabled',
        reason: 'The content is a build of the repository and is redeployed by `cdk deploy`; a replica adds nothing.',
      },
    );

    const responseHeadersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      // Unique per account across regions (CloudFront is global): one name per stack instance.
      responseHeadersPolicyName: uniquePhysicalName(this, 'web-headers', { maxLength: 128 }),
      comment: 'trial-screener web app: strict CSP, HSTS, no framing, no referrer',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: contentSecurityPolicy({ connectTo: [props.apiOrigin] }), override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(HSTS_MAX_AGE_SECONDS),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
    });

    // The study team's lead page is one file served for every `site/leads/<leadId>` path (the
    // lead id is read by the page; the token is in the fragment, which never reaches CloudFront).
    const leadPageRewrite = new CloudFrontFunction(this, 'LeadPageRewrite', {
      comment: 'Serves site/leads/index.html for every site/leads/<leadId> path',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(leadPageRewriteCode()),
    });
    const domain = props.customDomain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'trial-screener web app',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessControl: new S3OriginAccessControl(this, 'OriginAccessControl', {
            // Unique per account across regions, like the headers policy.
            originAccessControlName: uniquePhysicalName(this, 'web-oac', { maxLength: 64 }),
            description: 'trial-screener web app bucket (signed requests from this distribution only)',
          }),
        }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy,
        compress: true,
        functionAssociations: [{ function: leadPageRewrite, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      defaultRootObject: 'index.html',
      // The form is a single page: unknown paths (403 from a private bucket) serve the app.
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
        ttl: Duration.seconds(0),
      })),
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_ALL,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: 'cloudfront/',
      ...(domain
        ? {
            domainNames: [domain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', domain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    const distributionOrigin = `https://${this.distribution.distributionDomainName}`;
    this.origin = domain ? `https://${domain.domainName}` : distributionOrigin;
    this.origins = domain ? [this.origin, distributionOrigin] : [distributionOrigin];
    this.acknowledgeDistributionFindings(Boolean(domain));

    this.deploy(webAssetsPath, props);
  }

  /** The web app's URL (its origin followed by `/`). */
  get url(): string {
    return `${this.origin}/`;
  }

  /**
   * Two deployments because the two kinds of file want opposite caching: hashed assets never
   * change (cache for a year), while `index.html` and `config.json` must be fetched fresh.
   */
  private deploy(webAssetsPath: string, props: WebConstructProps): void {
    const entryFiles = ['index.html', `${LEAD_PAGE_PATH}/index.html`, WEB_CONFIG_FILE];
    const logGroup = new LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: RETAIN_STATEFUL,
    });
    const assets = new BucketDeployment(this, 'DeployAssets', {
      sources: [Source.asset(webAssetsPath)],
      destinationBucket: this.bucket,
      exclude: entryFiles,
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.days(365)), CacheControl.immutable()],
      prune: true,
      memoryLimit: 512,
      logGroup,
    });
    const entry = new BucketDeployment(this, 'DeployEntry', {
      sources: [Source.asset(webAssetsPath), Source.jsonData(WEB_CONFIG_FILE, { apiBaseUrl: props.apiUrl } satisfies WebConfig)],
      destinationBucket: this.bucket,
      include: entryFiles,
      exclude: ['*'],
      cacheControl: [CacheControl.noCache()],
      prune: false,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 512,
      logGroup,
    });
    // index.html names the hashed assets; they must be in place before it is replaced.
    entry.node.addDependency(assets);
    this.acknowledgeDeploymentHandler(assets);
  }

  private acknowledgeDistributionFindings(hasCustomDomain: boolean): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          "Trials recruit in many countries; which countries may see the form is the operator's decision " +
          '(add a geo restriction to the distribution when it is known).',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'The distribution serves only the public static form; every request with patient data goes to ' +
          'the API, which has its own WAF. A CloudFront WAF must live in us-east-1, outside this regional stack.',
      },
    );
    if (!hasCustomDomain) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin a minimum TLS version. Set the webDomainName ' +
          "and webCertificateArn context keys to serve the form on the operator's domain with TLS 1.2 or later.",
      });
    }
  }

  /** See {@link narrowInvalidationGrant}; called once both deployments have added their grants. */
  private scopeInvalidationToDistribution(deployment: BucketDeployment): void {
    narrowInvalidationGrant(
      deployment,
      Stack.of(this).formatArn({
        service: 'cloudfront',
        region: '',
        resource: 'distribution',
        resourceName: this.distribution.distributionId,
      }),
    );
  }

  /**
   * BucketDeployment runs one CDK-provided singleton function (a Python custom resource) that
   * copies the build into the bucket at deploy time. It never sees patient data.
   */
  private acknowledgeDeploymentHandler(deployment: BucketDeployment): void {
    const stack = Stack.of(this);
    const handler = stack.node.children.find((child: IConstruct) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    if (!handler) throw new Error('BucketDeployment handler not found; aws-cdk-lib changed its construct id');
    const reason = (detail: string) =>
      `CDK's BucketDeployment custom resource (deploy-time copy of the static web app): ${detail}`;
    Validations.of(handler).acknowledge(
      { id: 'AwsSolutions-L1', reason: reason('the runtime is chosen by aws-cdk-lib and updated with it.') },
      { id: 'HIPAA.Security-LambdaConcurrency', reason: reason('runs only during deployments.') },
      { id: 'HIPAA.Security-LambdaDLQ', reason: reason('invoked synchronously by CloudFormation, which reports failures.') },
      { id: 'HIPAA.Security-LambdaInsideVPC', reason: reason('reaches only S3 and CloudFront public APIs.') },
    );
    const wildcardReason = reason(
      "aws-cdk-lib grants these wildcard S3 actions for reading the deployment's own objects in the CDK asset " +
        'bucket and replacing the objects of the web bucket; the resources are those two buckets only.',
    );
    this.scopeInvalidationToDistribution(deployment);
    Validations.of(deployment.handlerRole).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: reason('the role and its managed logging policy are created by aws-cdk-lib.'),
      },
      { id: 'HIPAA.Security-IAMNoInlinePolicy', reason: reason('the role and its policy are created by aws-cdk-lib.') },
      ...[
        'Action::s3:GetObject*',
        'Action::s3:GetBucket*',
        'Action::s3:List*',
        'Action::s3:DeleteObject*',
        'Action::s3:Abort*',
        `Resource::<${stack.getLogicalId(this.bucket.node.defaultChild as CfnBucket)}.Arn>/*`,
        `Resource::${cdkAssetBucketArn(stack)}/*`,
      ].map((finding) => ({ id: `AwsSolutions-IAM5[${finding}]`, reason: wildcardReason })),
    );
  }
}

/**
 * aws-cdk-lib grants the deployment handler `cloudfront:CreateInvalidation` and
 * `cloudfront:GetInvalidation` on `*`, although both take a distribution ARN as their resource.
 * This narrows that one statement of the handler's policy to this distribution.
 */
function narrowInvalidationGrant(deployment: BucketDeployment, distributionArn: string): void {
  const policy = deployment.handlerRole.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnPolicy | undefined;
  if (!policy) throw new Error('BucketDeployment handler role has no DefaultPolicy; aws-cdk-lib changed how it grants');
  const granted = policy.policyDocument as unknown;
  // Lazy, so every statement added until synthesis is included, and cdk-nag sees the result.
  policy.policyDocument = Lazy.any({
    produce: () => {
      const document = Stack.of(policy).resolve(granted) as { Statement: { Action: string | string[]; Resource: unknown }[] };
      let narrowed = 0;
      const statements = document.Statement.map((statement) => {
        if (![statement.Action].flat().includes('cloudfront:CreateInvalidation')) return statement;
        narrowed += 1;
        return { ...statement, Resource: distributionArn };
      });
      if (narrowed !== 1)
        throw new Error(
          'Expected one CloudFront invalidation statement in the BucketDeployment policy; aws-cdk-lib changed how it grants',
        );
      return { ...document, Statement: statements };
    },
  });
}

/**
 * The CDK bootstrap asset bucket's ARN as cdk-nag renders it in findings: unresolved parts appear
 * as `<AWS::Partition>`, `<AWS::AccountId>` and `<AWS::Region>`.
 */
function cdkAssetBucketArn(stack: Stack): string {
  const rendered = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  const qualifier =
    (stack.node.tryGetContext(BOOTSTRAP_QUALIFIER_CONTEXT) as string | undefined) ?? DefaultStackSynthesizer.DEFAULT_QUALIFIER;
  const bucketName = `cdk-${qualifier}-assets-${rendered(stack.account, 'AccountId')}-${rendered(stack.region, 'Region')}`;
  return `arn:${rendered(stack.partition, 'Partition')}:s3:::${bucketName}`;
}
