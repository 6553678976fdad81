/**
 * What the synthesized TrialScreener template promises: data protection, functions as the
 * manifest describes them, every manifest route and stream filter, API protections, delivery
 * retries, alarms and web security headers.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, httpFunctions, scheduleFunctions, streamFunctions, type FunctionSpec } from '#functions/function-manifest';
import {
  createTableInput,
  DUE_INDEX,
  OUTBOX_INDEX,
  OUTBOX_INDEX_ATTRIBUTES,
  PREVIOUS_OUTBOX_INDEX,
  TABLE_ATTRIBUTES,
} from '#functions/table-schema';
import { DataConstruct } from '#lib/data-construct';
import {
  ALLOWED_REQUEST_HEADERS,
  API_ERRORS,
  type ApiErrorBody,
  CORS_MAX_AGE_SECONDS,
  errorBody,
  MAX_REQUEST_BODY_BYTES,
} from '#functions/contract/http';
import { PROJECT_ROOT } from '#lib/lambda-function';
import {
  OLDEST_DUE_METRIC as ADAPTER_OLDEST_DUE_METRIC,
  DELIVERY_METRICS_NAMESPACE,
  DELIVERY_SERVICE_NAME,
  OUTCOME_METRICS,
} from '#adapters/outbox-delivery';
import { DELIVERY_METRICS, OLDEST_DUE_METRIC } from '#lib/monitoring-construct';
import { TEST_SENDER, synthesizeStack, type SynthesizedStack } from './synthesize';

type CfnResource = { Type: string; Properties: Record<string, any>; Metadata?: Record<string, any> };

/** An operator-configured extra origin (the web app's own origin is always allowed). */
const PARTNER_ORIGIN = 'https://partner.example.org';

let synthesized: SynthesizedStack;
let template: Template;

beforeAll(() => {
  synthesized = synthesizeStack({ context: { allowedOrigins: [PARTNER_ORIGIN] } });
  template = synthesized.template;
});

afterAll(() => synthesized?.cleanUp());

const manifest = FUNCTIONS as readonly FunctionSpec[];

function resources(type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type)) as [string, CfnResource][];
}

function onlyResource(type: string): [string, CfnResource] {
  const found = resources(type);
  expect(found).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

/** The Lambda function of a manifest entry (the description is copied from the manifest). */
function functionOf(spec: FunctionSpec): [string, CfnResource] {
  const matches = resources('AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Description === spec.description);
  expect(matches).toHaveLength(1);
  return matches[0] as [string, CfnResource];
}

const mentions = (value: unknown, logicalId: string) => JSON.stringify(value ?? null).includes(`"${logicalId}"`);

/** Full path of an API Gateway resource, rebuilt from its parent chain. */
function apiPathOf(resourceIdValue: unknown): string {
  const ref = (resourceIdValue as { Ref?: string }).Ref;
  if (!ref) return '/'; // Fn::GetAtt RootResourceId
  const [, resource] = resources('AWS::ApiGateway::Resource').find(([id]) => id === ref) as [string, CfnResource];
  const parent = apiPathOf(resource.Properties.ParentId);
  return `${parent === '/' ? '' : parent}/${resource.Properties.PathPart}`;
}

describe('data', () => {
  it('encrypts the table with the customer-managed key and keeps point-in-time recovery and deletion protection on', () => {
    const [keyId] = onlyResource('AWS::KMS::Key');
    const [, table] = onlyResource('AWS::DynamoDB::Table');

    expect(table.Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });

  it.each(['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::S3::Bucket', 'AWS::Logs::LogGroup', 'AWS::SES::EmailIdentity'])(
    'retains every %s when the stack is deleted or it would be replaced, but not after a failed first create',
    (type) => {
      const found = resources(type) as [string, CfnResource & { DeletionPolicy?: string; UpdateReplacePolicy?: string }][];

      expect(found.length).toBeGreaterThan(0);
      for (const [logicalId, resource] of found) {
        expect([logicalId, resource.DeletionPolicy, resource.UpdateReplacePolicy]).toEqual([
          logicalId,
          'RetainExceptOnCreate',
          'Retain',
        ]);
      }
    },
  );

  it('lets the account administer the key but use it only through DynamoDB and SQS', () => {
    const [, key] = onlyResource('AWS::KMS::Key');
    const statements = key.Properties.KeyPolicy.Statement as {
      Sid?: string;
      Action: string | string[];
      Principal: unknown;
      Condition?: unknown;
    }[];
    const byAccount = statements.filter((statement) => JSON.stringify(statement.Principal).includes(':root'));
    const administration = byAccount.find((statement) => statement.Sid === 'KeyAdministrationByTheAccount');
    const use = byAccount.find((statement) => statement.Sid === 'UseOnlyThroughTheDataServices');

    expect(byAccount).toHaveLength(2);
    expect([administration?.Action].flat()).not.toEqual(
      expect.arrayContaining([expect.stringMatching(/^kms:(\*|Decrypt|Encrypt|ReEncrypt|GenerateDataKey|CreateGrant)/)]),
    );
    expect(JSON.stringify(use?.Condition)).toContain('"kms:ViaService":[{"Fn::Join":["",["dynamodb.",{"Ref":"AWS::Region"}');
    expect(JSON.stringify(use?.Condition)).toContain('"sqs.",{"Ref":"AWS::Region"}');
    expect(JSON.stringify(use?.Condition)).toContain('"kms:CallerAccount"');
  });

  it('rotates the key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('bills on demand, expires items by their expiresAt attribute and streams new images', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE_ATTRIBUTES.expiresAt, Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      KeySchema: [
        { AttributeName: TABLE_ATTRIBUTES.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_ATTRIBUTES.sortKey, KeyType: 'RANGE' },
      ],
    });
  });

  it('indexes outbox messages by status (their delivery state only) and undelivered ones by due time (their reference only)', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        {
          IndexName: 'OutboxByStatus',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...OUTBOX_INDEX_ATTRIBUTES] },
        },
        {
          IndexName: DUE_INDEX.name,
          KeySchema: [
            { AttributeName: DUE_INDEX.partitionKey, KeyType: 'HASH' },
            { AttributeName: DUE_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['entityType', 'leadId', 'confirmationId'] },
        },
      ],
    });
  });

  it('has exactly the indexes of the table schema, so the local and test tables match the deployed one', () => {
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const deployed = (table!.Properties as { GlobalSecondaryIndexes: unknown[] }).GlobalSecondaryIndexes;
    expect(deployed).toEqual(createTableInput('any').GlobalSecondaryIndexes);
  });

  it('keeps the previous outbox index (GSI1, every attribute) beside the new one only when upgrading', () => {
    // The data construct alone: synthesizing the whole stack again would bundle every function.
    const stack = new Stack(new App(), 'Upgrading');
    new DataConstruct(stack, 'Data', { keepPreviousOutboxIndex: true });
    const upgrading = Template.fromStack(stack);
    const [table] = Object.values(upgrading.findResources('AWS::DynamoDB::Table'));
    const names = (table!.Properties as { GlobalSecondaryIndexes: { IndexName: string }[] }).GlobalSecondaryIndexes.map(
      (index) => index.IndexName,
    );
    expect(names).toEqual([OUTBOX_INDEX.name, DUE_INDEX.name, PREVIOUS_OUTBOX_INDEX.name]);
    upgrading.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'GSI1', Projection: { ProjectionType: 'ALL' } })]),
    });
  });
});

describe('functions', () => {
  it.each(manifest.map((spec) => [spec.name, spec] as const))(
    'runs %s on nodejs24.x arm64 with the memory and timeout of its manifest entry',
    (_name, spec) => {
      const [, fn] = functionOf(spec);

      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        Handler: 'index.handler',
        LoggingConfig: { LogFormat: 'JSON' },
      });
    },
  );

  it.each(manifest.map((spec) => [spec.name, spec] as const))(
    'gives %s only the environment variables its manifest entry lists',
    (_name, spec) => {
      const [, fn] = functionOf(spec);
      const names = Object.keys(fn.Properties.Environment.Variables as object).filter((name) => name !== 'NODE_OPTIONS');

      // RECIPIENT_OVERRIDE is unset in the cdk.json defaults, so it is deliberately absent.
      expect(names.sort()).toEqual(spec.environment.filter((name) => name !== 'RECIPIENT_OVERRIDE').sort());
    },
  );

  it('logs each manifest function to its own KMS-encrypted log group with the configured retention', () => {
    const [keyId] = onlyResource('AWS::KMS::Key');
    const logGroups = new Set<string>();
    for (const spec of manifest) {
      const [, fn] = functionOf(spec);
      const logGroupId = (fn.Properties.LoggingConfig.LogGroup as { Ref: string }).Ref;
      const [, logGroup] = resources('AWS::Logs::LogGroup').find(([id]) => id === logGroupId) as [string, CfnResource];

      expect(logGroup.Properties).toMatchObject({ RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
      logGroups.add(logGroupId);
    }
    expect(logGroups.size).toBe(manifest.length);
  });

  it('bundles each function as one ESM file with the AWS SDK inside, minified, with a source map', () => {
    for (const spec of manifest) {
      const [, fn] = functionOf(spec);
      const bundle = join(synthesized.outdir, fn.Metadata?.['aws:asset:path'] as string);
      const code = readFileSync(join(bundle, 'index.mjs'), 'utf8');

      expect(existsSync(join(bundle, 'index.mjs.map'))).toBe(true);
      expect(code).not.toMatch(/from\s*["']@aws-sdk\//);
      expect(code).toContain('createRequire');
      // The SDK's default credential chain (SSO, profiles, STS, IMDS) is replaced by the Lambda one.
      expect(code).not.toContain('defaultProvider::fromSSO');
      // An ESM import of node:http makes Node load undici at cold start (see lambda-node-http.cts).
      expect(code).not.toMatch(/from\s*["'](node:)?http["']/);
    }
  });

  it('bundles the precompiled email templates, and not the Handlebars compiler, into every function that sends email', () => {
    for (const spec of manifest.filter((candidate) => candidate.sendsEmail)) {
      const [, fn] = functionOf(spec);
      const code = readFileSync(join(synthesized.outdir, fn.Metadata?.['aws:asset:path'] as string, 'index.mjs'), 'utf8');

      // Each precompiled template names the compiler revision it needs from the runtime.
      expect([spec.name, code.includes('compiler:[8,">= 4.3.0"]')]).toEqual([spec.name, true]);
      expect([spec.name, code.includes('Parse error on line')]).toEqual([spec.name, false]);
    }
  });

  it('copies every runtime file of the manifest beside the bundle at its repository path, and nothing else', () => {
    // A file or a folder's sorted listing, so a missing or extra file shows in the diff.
    const contents = (path: string) => (statSync(path).isDirectory() ? readdirSync(path).sort() : 'file');
    for (const spec of manifest) {
      const [, fn] = functionOf(spec);
      const bundle = join(synthesized.outdir, fn.Metadata?.['aws:asset:path'] as string);

      for (const path of spec.runtimeFiles) {
        expect([path, existsSync(join(bundle, path)) && contents(join(bundle, path))]).toEqual([
          path,
          contents(join(PROJECT_ROOT, path)),
        ]);
      }
      const topLevel = new Set(['index.mjs', 'index.mjs.map', ...spec.runtimeFiles.map((path) => path.split('/')[0]!)]);
      expect([spec.name, readdirSync(bundle).sort()]).toEqual([spec.name, [...topLevel].sort()]);
    }
  });
});

describe('API', () => {
  it('routes every HTTP function of the manifest: its path and method invoke its function', () => {
    const methods = resources('AWS::ApiGateway::Method');
    for (const spec of httpFunctions()) {
      const [fnId] = functionOf(spec);
      const route = methods.filter(
        ([, method]) =>
          method.Properties.HttpMethod === spec.trigger.method && apiPathOf(method.Properties.ResourceId) === spec.trigger.path,
      );

      expect(route).toHaveLength(1);
      const [, method] = route[0] as [string, CfnResource];
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
      expect(mentions(method.Properties.Integration.Uri, fnId)).toBe(true);
    }
  });

  it('has no route the manifest does not list (besides CORS preflight)', () => {
    const routes = resources('AWS::ApiGateway::Method')
      .filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS')
      .map(([, method]) => `${method.Properties.HttpMethod} ${apiPathOf(method.Properties.ResourceId)}`);

    expect(routes.sort()).toEqual(
      httpFunctions()
        .map((spec) => `${spec.trigger.method} ${spec.trigger.path}`)
        .sort(),
    );
  });

  it('throttles the stage and traces it, logging execution errors without request data', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 50,
          ThrottlingBurstLimit: 100,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
        }),
        // The site's lead routes, tighter than the stage (a link token must be slow to guess).
        ...['GET /site/leads/{leadId}', 'POST /site/leads/{leadId}/outcomes', 'POST /site/leads/{leadId}/pause-site'].map(
          (route) => {
            const [method, path] = route.split(' ');
            return Match.objectLike({
              HttpMethod: method,
              ResourcePath: `/${path!.replaceAll('/', '~1')}`,
              ThrottlingRateLimit: 5,
              ThrottlingBurstLimit: 10,
            });
          },
        ),
      ],
    });
  });

  it('writes JSON access logs with request id, ip, method, path, status and latency but no body', () => {
    const [, stage] = onlyResource('AWS::ApiGateway::Stage');
    const format = stage.Properties.AccessLogSetting.Format as string;
    const fields = JSON.parse(format.replace('$context.error.messageString', '""')) as Record<string, string>;

    expect(fields).toMatchObject({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      method: '$context.httpMethod',
      path: '$context.path',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
    });
    expect(format).not.toMatch(/body|\$input|header|querystring|userAgent/i);
  });

  it('checks path parameters and that POST bodies are JSON objects before invoking a function', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestParameters: true,
      ValidateRequestBody: true,
    });
    for (const spec of httpFunctions().filter((candidate) => candidate.trigger.path.includes('{'))) {
      const [fnId] = functionOf(spec);
      const [, method] = resources('AWS::ApiGateway::Method').find(([, candidate]) =>
        mentions(candidate.Properties.Integration.Uri, fnId),
      ) as [string, CfnResource];

      expect(Object.keys(method.Properties.RequestParameters as object)).toEqual(
        [...spec.trigger.path.matchAll(/\{([^}]+)\}/g)].map((match) => `method.request.path.${match[1]}`),
      );
    }
  });

  it('answers CORS preflight for the web app origin and every configured origin', () => {
    const preflights = resources('AWS::ApiGateway::Method').filter(([, method]) => method.Properties.HttpMethod === 'OPTIONS');

    expect(preflights.length).toBeGreaterThan(0);
    for (const [, method] of preflights) {
      const response = method.Properties.Integration.IntegrationResponses[0];
      expect(JSON.stringify(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin'])).toContain(
        'DomainName',
      );
      expect(JSON.stringify(response.ResponseTemplates)).toContain(PARTNER_ORIGIN);
      expect(response.ResponseParameters['method.response.header.Access-Control-Allow-Headers']).toBe(
        "'Content-Type,Authorization,Idempotency-Key'",
      );
    }
  });

  it('lets every HTTP function answer CORS for the web app origin and the configured origins', () => {
    const [distributionId] = onlyResource('AWS::CloudFront::Distribution');
    for (const spec of httpFunctions()) {
      const [, fn] = functionOf(spec);
      const allowedOrigins = JSON.stringify(fn.Properties.Environment.Variables.ALLOWED_ORIGINS);

      expect(allowedOrigins).toContain(`"${distributionId}","DomainName"`);
      expect(allowedOrigins).toContain(PARTNER_ORIGIN);
    }
  });

  it('lets every page read the errors API Gateway and the firewall write themselves (CORS on fixed bodies)', () => {
    const [, acl] = onlyResource('AWS::WAFv2::WebACL');
    const customResponses = (acl.Properties.Rules as { Name: string; Action: Record<string, any> }[])
      .filter((rule) => rule.Action?.Block?.CustomResponse)
      .map((rule) => [rule.Name, rule.Action.Block.CustomResponse]);
    const gatewayResponses = resources('AWS::ApiGateway::GatewayResponse');

    expect(customResponses.map(([name]) => name).sort()).toEqual(['body-size', 'rate-per-ip']);
    for (const [name, response] of customResponses) {
      expect([name, response.ResponseHeaders]).toEqual([name, [{ Name: 'Access-Control-Allow-Origin', Value: '*' }]]);
    }
    expect(gatewayResponses.length).toBeGreaterThan(5);
    for (const [, response] of gatewayResponses) {
      expect(response.Properties.ResponseParameters['gatewayresponse.header.Access-Control-Allow-Origin']).toBe("'*'");
    }
  });

  it('counts CORS preflights apart from the per-IP limit, so a throttled browser still reads the JSON 429', () => {
    const [, acl] = onlyResource('AWS::WAFv2::WebACL');
    const rules = acl.Properties.Rules as { Name: string; Statement: Record<string, any> }[];
    const preflight = { ByteMatchStatement: expect.objectContaining({ FieldToMatch: { Method: {} }, SearchString: 'OPTIONS' }) };

    expect(rules.find((rule) => rule.Name === 'rate-per-ip')?.Statement.RateBasedStatement.ScopeDownStatement).toEqual({
      NotStatement: { Statement: preflight },
    });
    expect(rules.find((rule) => rule.Name === 'preflight-rate-per-ip')?.Statement.RateBasedStatement).toMatchObject({
      Limit: 500,
      ScopeDownStatement: preflight,
    });
  });

  it('answers errors raised by API Gateway itself in the API error shape', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"error":\\{"code":"THROTTLED"') },
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'MISSING_AUTHENTICATION_TOKEN',
      StatusCode: '404',
    });
  });

  it("answers API Gateway's own errors with the contract's codes, statuses and messages", () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')) as {
      Properties: { ResponseType: string; StatusCode?: string; ResponseTemplates: Record<string, string> };
    }[];
    const blocked = responses.find((response) => response.Properties.ResponseType === 'WAF_FILTERED');

    expect(blocked?.Properties.StatusCode).toBe(String(API_ERRORS.REQUEST_BLOCKED.status));
    expect(JSON.parse(blocked!.Properties.ResponseTemplates['application/json']!)).toEqual(errorBody('REQUEST_BLOCKED'));
    for (const response of responses) {
      const { error } = JSON.parse(response.Properties.ResponseTemplates['application/json']!) as ApiErrorBody;
      expect(API_ERRORS[error.code].message).toBe(error.message);
      if (response.Properties.StatusCode) expect(response.Properties.StatusCode).toBe(String(API_ERRORS[error.code].status));
    }
  });

  it("answers CORS preflight with the contract's headers and max age", () => {
    const preflight = Object.values(template.findResources('AWS::ApiGateway::Method')).find(
      (method) => (method as { Properties: { HttpMethod: string } }).Properties.HttpMethod === 'OPTIONS',
    ) as { Properties: { Integration: { IntegrationResponses: { ResponseParameters: Record<string, string> }[] } } };
    const headers = preflight.Properties.Integration.IntegrationResponses[0]!.ResponseParameters;

    expect(headers['method.response.header.Access-Control-Allow-Headers']).toBe(`'${ALLOWED_REQUEST_HEADERS.join(',')}'`);
    expect(headers['method.response.header.Access-Control-Max-Age']).toBe(`'${CORS_MAX_AGE_SECONDS}'`);
  });

  it('puts the stage behind a WAF with a per-IP rate limit, a 64 KB body limit and AWS managed rules', () => {
    const [aclId, acl] = onlyResource('AWS::WAFv2::WebACL');
    const rules = acl.Properties.Rules as { Name: string; Statement: Record<string, any> }[];

    expect(acl.Properties.Scope).toBe('REGIONAL');
    expect(rules.find((rule) => rule.Name === 'rate-per-ip')?.Statement.RateBasedStatement).toMatchObject({
      Limit: 500,
      AggregateKeyType: 'IP',
    });
    expect(rules.find((rule) => rule.Name === 'body-size')?.Statement.SizeConstraintStatement).toMatchObject({
      ComparisonOperator: 'GT',
      Size: MAX_REQUEST_BODY_BYTES,
      FieldToMatch: { Body: { OversizeHandling: 'MATCH' } },
    });
    expect(rules.map((rule) => rule.Statement.ManagedRuleGroupStatement?.Name).filter(Boolean)).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
    ]);
    const [, association] = onlyResource('AWS::WAFv2::WebACLAssociation');
    expect(association.Properties.WebACLArn).toEqual({ 'Fn::GetAtt': [aclId, 'Arn'] });
    expect(JSON.stringify(association.Properties.ResourceArn)).toContain('/stages/');
  });

  it('logs firewall blocks with credentials redacted', () => {
    template.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
      RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }, { QueryString: {} }]),
    });
  });
});

describe('lead delivery', () => {
  it('filters the table stream with exactly the filter patterns of the manifest', () => {
    for (const spec of streamFunctions()) {
      const [fnId] = functionOf(spec);
      const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, candidate]) =>
        mentions(candidate.Properties.FunctionName, fnId),
      ) as [string, CfnResource];
      const patterns = (mapping.Properties.FilterCriteria.Filters as { Pattern: string }[]).map((filter) =>
        JSON.parse(filter.Pattern),
      );

      expect(patterns).toEqual(spec.trigger.filterPatterns);
    }
  });

  it('retries failed stream batches a bounded number of times, splitting them, then sends them to the dead-letter queue', () => {
    const [queueId] = onlyResource('AWS::SQS::Queue');
    for (const spec of streamFunctions()) {
      const [fnId] = functionOf(spec);
      const [, mapping] = resources('AWS::Lambda::EventSourceMapping').find(([, candidate]) =>
        mentions(candidate.Properties.FunctionName, fnId),
      ) as [string, CfnResource];

      expect(mapping.Properties).toMatchObject({
        StartingPosition: 'LATEST',
        BatchSize: spec.trigger.batchSize,
        BisectBatchOnFunctionError: spec.trigger.bisectBatchOnError,
        MaximumRetryAttempts: spec.trigger.retryAttempts,
        MaximumRecordAgeInSeconds: spec.trigger.maxRecordAgeSeconds,
        ParallelizationFactor: spec.trigger.parallelizationFactor,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
      });
      expect(spec.trigger.retryAttempts).toBeLessThan(10);
    }
  });

  it('keeps dead letters 14 days, encrypted with the customer key, over TLS only', () => {
    const [keyId] = onlyResource('AWS::KMS::Key');
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('runs each scheduled function at the rate of its manifest entry', () => {
    for (const spec of scheduleFunctions()) {
      const [fnId] = functionOf(spec);
      const [, rule] = resources('AWS::Events::Rule').find(([, candidate]) => mentions(candidate.Properties.Targets, fnId)) as [
        string,
        CfnResource,
      ];

      expect(rule.Properties.ScheduleExpression).toBe(`rate(${spec.trigger.everyMinutes} minutes)`);
    }
  });

  it('requires TLS for every email through the SES configuration set', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
  });

  it('allows ses:SendEmail only to functions that send email, only for the sender identity and the configuration set', () => {
    for (const spec of manifest) {
      const [, fn] = functionOf(spec);
      const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
      const statements = resources('AWS::IAM::Policy')
        .filter(([, policy]) => mentions(policy.Properties.Roles, roleId))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[])
        .filter((statement) => JSON.stringify(statement.Action).includes('ses:'));

      if (!spec.sendsEmail) {
        expect(statements).toEqual([]);
        continue;
      }
      expect(statements).toHaveLength(1);
      expect(statements[0]?.Action).toBe('ses:SendEmail');
      const resourcesText = JSON.stringify(statements[0]?.Resource);
      expect(resourcesText).toContain(`:identity/${TEST_SENDER}`);
      expect(resourcesText).toContain(':configuration-set/');
      expect(resourcesText).not.toContain('*');
      expect((statements[0] as unknown as { Condition: unknown }).Condition).toEqual({
        StringEquals: { 'ses:FromAddress': TEST_SENDER },
      });
    }
  });

  it('verifies the sender domain with Easy DKIM and a MAIL FROM subdomain, as the default identity', () => {
    const [, identity] = onlyResource('AWS::SES::EmailIdentity');

    expect(identity.Properties).toMatchObject({
      EmailIdentity: TEST_SENDER.split('@')[1],
      DkimSigningAttributes: { NextSigningKeyLength: 'RSA_2048_BIT' },
      MailFromAttributes: { MailFromDomain: `mail.${TEST_SENDER.split('@')[1]}`, BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
    });
  });

  it('publishes deliveries, bounces, complaints, rejects, delays and rendering failures to an encrypted topic only SES may publish to', () => {
    const [keyId] = onlyResource('AWS::KMS::Key');
    const [, destination] = onlyResource('AWS::SES::ConfigurationSetEventDestination');
    const topicId = destination.Properties.EventDestination.SnsDestination.TopicARN.Ref as string;
    const [, topic] = resources('AWS::SNS::Topic').find(([id]) => id === topicId) as [string, CfnResource];
    const [, topicPolicy] = resources('AWS::SNS::TopicPolicy').find(([, policy]) =>
      mentions(policy.Properties.Topics, topicId),
    ) as [string, CfnResource];

    expect(destination.Properties.EventDestination.MatchingEventTypes.sort()).toEqual(
      ['bounce', 'complaint', 'delivery', 'deliveryDelay', 'reject', 'renderingFailure'].sort(),
    );
    expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(topicPolicy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'sns:Publish',
          Principal: { Service: 'ses.amazonaws.com' },
          Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': expect.anything() } }),
        }),
      ]),
    );
  });
});

describe('monitoring', () => {
  // The registry sync runs once a day: its construct alarms on a failed run (SyncFailed).
  const monitoredByMonitoring = manifest.filter((spec) => spec.trigger.kind !== 'registry-sync');

  function alarmsWhere(predicate: (alarm: CfnResource) => boolean): CfnResource[] {
    return resources('AWS::CloudWatch::Alarm')
      .map(([, alarm]) => alarm)
      .filter(predicate);
  }

  it('alarms when the dead-letter queue holds a message', () => {
    const [queueId] = onlyResource('AWS::SQS::Queue');
    const alarms = alarmsWhere(
      (alarm) =>
        alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && mentions(alarm.Properties.Dimensions, queueId),
    );

    expect(alarms).toHaveLength(1);
    expect(alarms[0]?.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
  });

  it('alarms when lead delivery falls more than ten minutes behind the stream', () => {
    for (const spec of streamFunctions()) {
      const [fnId] = functionOf(spec);
      const alarms = alarmsWhere(
        (alarm) => alarm.Properties.MetricName === 'IteratorAge' && mentions(alarm.Properties.Dimensions, fnId),
      );

      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({ Threshold: 600_000, Statistic: 'Maximum' });
    }
  });

  it('alarms in the namespace and service the delivery adapter publishes its metrics under', () => {
    expect(DELIVERY_METRICS).toEqual({ namespace: DELIVERY_METRICS_NAMESPACE, service: DELIVERY_SERVICE_NAME });
    expect(OLDEST_DUE_METRIC).toBe(ADAPTER_OLDEST_DUE_METRIC);
  });

  it('tells the delivery functions their stage, the dimension their metrics and alarms share', () => {
    for (const spec of manifest.filter((candidate) => candidate.sendsEmail)) {
      const [, fn] = functionOf(spec);
      expect(fn.Properties.Environment.Variables.DEPLOYMENT_STAGE).toBe('prod');
    }
  });

  it('alarms when a due lead waits over 30 minutes in 2 of 3 periods, or when the reconciler stops reporting', () => {
    const [alarm] = alarmsWhere((candidate) => candidate.Properties.MetricName === OLDEST_DUE_METRIC);

    expect(alarm?.Properties).toMatchObject({
      Namespace: DELIVERY_METRICS.namespace,
      Dimensions: [
        { Name: 'service', Value: DELIVERY_METRICS.service },
        { Name: 'stage', Value: 'prod' },
      ],
      Statistic: 'Maximum',
      Threshold: 1800,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    });
  });

  it('alarms on the API 5xx share only with at least 20 requests, in 2 of 3 periods', () => {
    const [alarm] = alarmsWhere((candidate) => JSON.stringify(candidate.Properties.Metrics ?? []).includes('5XXError'));
    const expression = ((alarm?.Properties.Metrics ?? []) as { Expression?: string }[]).find(
      (metric) => metric.Expression,
    )?.Expression;

    expect(expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(alarm?.Properties).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 5 });
  });

  it('alarms on DynamoDB throttles and system errors of the table, in 2 of 3 periods', () => {
    const [tableId] = onlyResource('AWS::DynamoDB::Table');
    for (const metricName of ['ThrottledRequests', 'SystemErrors']) {
      const alarms = alarmsWhere((candidate) => {
        const metrics = JSON.stringify(candidate.Properties.Metrics ?? []);
        return metrics.includes(`"MetricName":"${metricName}"`) && metrics.includes(`"${tableId}"`);
      });

      expect([metricName, alarms.length]).toEqual([metricName, 1]);
      expect(alarms[0]?.Properties).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 0 });
    }
  });

  it.each([
    ['Reputation.BounceRate', 0.04],
    ['Reputation.ComplaintRate', 0.0008],
  ])('alarms on the SES %s before SES reviews the account', (metricName, threshold) => {
    const [alarm] = alarmsWhere((candidate) => candidate.Properties.MetricName === metricName);

    expect(alarm?.Properties).toMatchObject({
      Namespace: 'AWS/SES',
      Threshold: threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Statistic: 'Maximum',
    });
  });

  it('waits for 2 of 3 periods before alarming on function errors and throttles, where one blip is noise', () => {
    const alarms = resources('AWS::CloudWatch::Alarm')
      .filter(([id]) => id.startsWith('Monitoring'))
      .map(([, alarm]) => alarm)
      .filter((candidate) => ['Errors', 'Throttles'].includes(candidate.Properties.MetricName));

    expect(alarms.length).toBe(monitoredByMonitoring.length * 2);
    for (const alarm of alarms) expect(alarm.Properties).toMatchObject({ EvaluationPeriods: 3, DatapointsToAlarm: 2 });
  });

  it.each([OUTCOME_METRICS.failed, OUTCOME_METRICS.held])(
    'alarms on the %s metric the delivery functions publish',
    (metricName) => {
      const alarms = alarmsWhere((alarm) => alarm.Properties.MetricName === metricName);

      expect(alarms).toHaveLength(1);
      expect(alarms[0]?.Properties).toMatchObject({
        Namespace: DELIVERY_METRICS.namespace,
        Dimensions: [
          { Name: 'service', Value: DELIVERY_METRICS.service },
          { Name: 'stage', Value: 'prod' },
        ],
        Threshold: 0,
        EvaluationPeriods: 1,
      });
    },
  );

  it('alarms on the share of API requests that end in a server error', () => {
    const alarms = alarmsWhere((alarm) => JSON.stringify(alarm.Properties.Metrics ?? []).includes('5XXError'));

    expect(alarms).toHaveLength(1);
  });

  it('alarms on errors and throttles of every function (the registry sync has its own sync alarms)', () => {
    for (const spec of monitoredByMonitoring) {
      const [fnId] = functionOf(spec);
      const forFunction = alarmsWhere((alarm) => mentions(alarm.Properties.Dimensions, fnId)).map(
        (alarm) => alarm.Properties.MetricName,
      );

      expect(forFunction).toContain('Errors');
      expect(forFunction).toContain('Throttles');
    }
  });

  it('tells the operator what to do in every alarm and notifies the alarm topic', () => {
    const [topicId] = resources('AWS::SNS::Topic').find(
      ([, topic]) => topic.Properties.DisplayName === 'trial-screener alarms',
    ) as [string, CfnResource];
    for (const [, alarm] of resources('AWS::CloudWatch::Alarm')) {
      expect((alarm.Properties.AlarmDescription as string).length).toBeGreaterThan(60);
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('encrypts the alarm topic with the customer key', () => {
    const [keyId] = onlyResource('AWS::KMS::Key');
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
  });
});

describe('web hosting', () => {
  it('sends a strict Content-Security-Policy that allows connections only to the API', () => {
    const [apiId] = onlyResource('AWS::ApiGateway::RestApi');
    const [, policy] = onlyResource('AWS::CloudFront::ResponseHeadersPolicy');
    const csp = policy.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy;
    const text = JSON.stringify(csp.ContentSecurityPolicy);

    expect(csp.Override).toBe(true);
    expect(text).toContain("default-src 'self'; connect-src 'self' https://");
    expect(mentions(csp.ContentSecurityPolicy, apiId)).toBe(true);
    expect(text).toContain("script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    expect(text).not.toContain('unsafe');
  });

  it('sends HSTS for two years with preload, nosniff, no referrer and no framing', () => {
    template.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: {
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: 730 * 24 * 60 * 60,
            IncludeSubdomains: true,
            Preload: true,
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      },
    });
  });

  it('serves a private bucket through CloudFront origin access control, falling back to the app for unknown paths', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 's3/' }),
    });
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 0 },
        ],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
        Logging: Match.objectLike({ Prefix: 'cloudfront/' }),
      }),
    });
  });

  it('deploys config.json naming the API URL, uncached, and invalidates CloudFront', () => {
    const [apiId] = onlyResource('AWS::ApiGateway::RestApi');
    const [, distribution] = onlyResource('AWS::CloudFront::Distribution');
    const entry = resources('Custom::CDKBucketDeployment').find(([, deployment]) =>
      JSON.stringify(deployment.Properties.Include ?? []).includes('config.json'),
    ) as [string, CfnResource];

    expect(mentions(entry[1].Properties.SourceMarkers, apiId)).toBe(true);
    expect(entry[1].Properties.SystemMetadata).toEqual({ 'cache-control': 'no-cache' });
    expect(entry[1].Properties.DistributionPaths).toEqual(['/*']);
    expect(distribution).toBeDefined();
  });
});

describe('outputs', () => {
  it.each(['ApiUrl', 'WebUrl', 'TableName', 'DeadLetterQueueUrl', 'AlarmTopicArn', 'EmailEventsTopicArn'])(
    'outputs %s',
    (name) => {
      template.hasOutput(name, { Value: Match.anyValue() });
    },
  );

  it('outputs the DNS records the domain identity needs: three DKIM CNAMEs, the MAIL FROM MX and its SPF', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const domain = TEST_SENDER.split('@')[1];

    for (const index of [1, 2, 3]) expect(JSON.stringify(outputs[`SenderDkimRecord${index}`]?.Value)).toContain(' CNAME ');
    expect(JSON.stringify(outputs.SenderMailFromMx?.Value)).toContain(`mail.${domain} MX 10 feedback-smtp.`);
    expect(outputs.SenderMailFromSpf?.Value).toBe(`mail.${domain} TXT "v=spf1 include:amazonses.com ~all"`);
  });
});
