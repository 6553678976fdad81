import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  EndpointType,
  JsonSchemaType,
  JsonSchemaVersion,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  ResponseType,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnLoggingConfiguration, CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { httpFunctions, type HttpFunctionSpec } from '#functions/function-manifest';
import {
  ALLOWED_REQUEST_HEADERS,
  API_ERRORS,
  API_VERSION,
  type ApiErrorCode,
  CORS_MAX_AGE_SECONDS,
  errorBody,
  MAX_REQUEST_BODY_BYTES,
} from '#functions/contract/http';
import { createManifestFunction, type EnvironmentValues } from './lambda-function';
import { uniquePhysicalName } from './names';
import { RETAIN_STATEFUL } from './stateful';

export interface ApiConstructProps {
  /** The deployment's stage, in the API's name (the console lists every stage's API). */
  readonly stage: string;
  readonly table: ITable;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  readonly environment: EnvironmentValues;
  /** Browser origins allowed by CORS: the web app's own origins and the configured extra ones. */
  readonly allowedOrigins: readonly string[];
  /** Stage throttling across all clients. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Requests one IP may make in 5 minutes before the firewall answers 429. */
  readonly ipRateLimitPer5Minutes: number;
}

export interface RoutedFunction {
  readonly spec: HttpFunctionSpec;
  readonly fn: NodejsFunction;
}

/** The API version is the stage: URLs read `https://<api>/v1/screenings`. */
export const API_STAGE_NAME = API_VERSION;

/**
 * Fields of one access-log line: who called what, with what result and how fast. Deliberately no
 * body, query string, headers or user agent: the API carries health information.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTimeEpoch',
  method: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationLatencyMs: '$context.integrationLatency',
  wafStatus: '$context.waf.status',
  error: '$context.error.messageString',
};

/**
 * The public HTTP API: a REST API whose routes are exactly the HTTP functions of the manifest,
 * behind a WAF, throttled, with JSON access logs and the contract's error shape on the errors
 * API Gateway produces itself (throttling, unknown routes, firewall blocks).
 */
export class ApiConstruct extends Construct {
  readonly api: RestApi;
  readonly routes: readonly RoutedFunction[];
  readonly webAcl: CfnWebACL;

  constructor(scope: Construct, id: string, props: ApiConstructProps) {
    super(scope, id);

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: RETAIN_STATEFUL,
    });

    const methods = [...new Set(httpFunctions().map((spec) => spec.trigger.method))];
    this.api = new RestApi(this, 'Api', {
      restApiName: `trial-screener-${props.stage}`,
      description: 'trial-screener patient API (v1)',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // Execution logs (errors only) need the account-level API Gateway logging role.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RETAIN_STATEFUL,
      deployOptions: {
        stageName: API_STAGE_NAME,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        // Routes the catalogue gives a tighter limit (the site's lead routes).
        methodOptions: Object.fromEntries(
          httpFunctions().flatMap((spec) =>
            spec.trigger.throttle
              ? [
                  [
                    `${spec.trigger.path}/${spec.trigger.method}`,
                    {
                      throttlingRateLimit: spec.trigger.throttle.rateLimit,
                      throttlingBurstLimit: spec.trigger.throttle.burstLimit,
                    },
                  ],
                ]
              : [],
          ),
        ),
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(accessLogFormat()),
        tracingEnabled: true,
        // ERROR level without data tracing: execution logs never contain request or response bodies.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.allowedOrigins],
        allowMethods: [...methods, 'OPTIONS'],
        allowHeaders: [...ALLOWED_REQUEST_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      },
    });
    this.createExecutionLogGroup(props);
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway uses to write execution logs; AmazonAPIGatewayPushToCloudWatchLogs ' +
        'is the policy AWS documents for it.',
    });
    this.addErrorResponses();

    // API Gateway checks what it can without repeating the request schemas: path parameters are
    // present and a POST body is a JSON object. The fields are checked by the function's zod schema,
    // the one place the request shape is written.
    const validator = new RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      requestValidatorName: 'parameters-and-json-object-body',
      validateRequestParameters: true,
      validateRequestBody: true,
    });
    const jsonObject = this.api.addModel('JsonObject', {
      contentType: 'application/json',
      modelName: 'JsonObject',
      description: 'Any JSON object; the function validates its fields',
      schema: { schema: JsonSchemaVersion.DRAFT4, title: 'JsonObject', type: JsonSchemaType.OBJECT },
    });

    this.routes = httpFunctions().map((spec) => {
      const fn = createManifestFunction(this, spec, props);
      const resource = this.api.root.resourceForPath(spec.trigger.path);
      const method = resource.addMethod(spec.trigger.method, new LambdaIntegration(fn, { proxy: true, allowTestInvoke: false }), {
        requestValidator: validator,
        requestParameters: Object.fromEntries(
          pathParameters(spec.trigger.path).map((name) => [`method.request.path.${name}`, true]),
        ),
        ...(spec.trigger.method === 'POST' ? { requestModels: { 'application/json': jsonObject } } : {}),
      });
      Validations.of(fn).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked synchronously by API Gateway: a failure is returned to the caller at once, and a ' +
          'function dead-letter queue only applies to asynchronous invocations.',
      });
      Validations.of(method).acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'Patients use the API anonymously (no accounts by design). Screening-specific calls are ' +
            'authorised in the function by the per-screening bearer token; abuse is limited by WAF and throttling.',
        },
        {
          id: 'AwsSolutions-COG4',
          reason: 'No Cognito user pool: patients have no accounts; see AwsSolutions-APIG4.',
        },
      );
      return { spec, fn };
    });
    this.acknowledgePreflightMethods();

    this.webAcl = this.createFirewall(props.stage, props.ipRateLimitPer5Minutes);
    this.logFirewallDecisions(props);
    new CfnWebACLAssociation(this, 'FirewallAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    Validations.of(this.api.deploymentStage).acknowledge(
      {
        id: 'HIPAA.Security-APIGWCacheEnabledAndEncrypted',
        reason: 'Every response is specific to one patient or must be fresh (screeners); caching is deliberately off.',
      },
      {
        id: 'HIPAA.Security-APIGWSSLEnabled',
        reason:
          'Client certificates authenticate API Gateway to HTTP backends; every integration here is a ' +
          'Lambda proxy integration invoked through IAM.',
      },
    );
  }

  /** The stage URL, ending in `/v1/`. */
  get url(): string {
    return this.api.url;
  }

  /** The API's browser origin (scheme and host), for the web app's Content-Security-Policy. */
  get origin(): string {
    const stack = Stack.of(this);
    return `https://${this.api.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }

  /**
   * API Gateway writes execution logs to a group it creates itself, unencrypted and kept forever.
   * Creating the group first (same name) gives it the key and the retention of every other log.
   */
  private createExecutionLogGroup(props: ApiConstructProps): void {
    const executionLogs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${API_STAGE_NAME}`,
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: RETAIN_STATEFUL,
    });
    this.api.deploymentStage.node.addDependency(executionLogs);
  }

  /**
   * Errors raised by API Gateway itself (before a function runs) get the contract's error body,
   * so clients handle one shape, with the codes, statuses and messages of the HTTP contract.
   * They carry {@link ERROR_RESPONSE_CORS_HEADERS} so every allowed page can read them.
   */
  private addErrorResponses(): void {
    const headers: Record<string, string> = Object.fromEntries(
      Object.entries(ERROR_RESPONSE_CORS_HEADERS).map(([name, value]) => [name, `'${value}'`]),
    );
    const template = (code: ApiErrorCode, withRequestId = false) => ({
      'application/json': JSON.stringify(
        errorBody(code, API_ERRORS[code].message, undefined, withRequestId ? '$context.requestId' : undefined),
      ),
    });
    const responses: { type: ResponseType; code: ApiErrorCode; withRequestId?: boolean }[] = [
      { type: ResponseType.THROTTLED, code: 'THROTTLED' },
      { type: ResponseType.REQUEST_TOO_LARGE, code: 'PAYLOAD_TOO_LARGE' },
      { type: ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { type: ResponseType.BAD_REQUEST_PARAMETERS, code: 'INVALID_REQUEST' },
      { type: ResponseType.BAD_REQUEST_BODY, code: 'INVALID_REQUEST' },
      // Unknown routes: API Gateway answers 403 "Missing Authentication Token" by default.
      { type: ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'NOT_FOUND' },
      { type: ResponseType.WAF_FILTERED, code: 'REQUEST_BLOCKED' },
      { type: ResponseType.DEFAULT_4XX, code: 'INVALID_REQUEST' },
      { type: ResponseType.DEFAULT_5XX, code: 'INTERNAL', withRequestId: true },
    ];
    for (const response of responses) {
      this.api.addGatewayResponse(response.type.responseType, {
        type: response.type,
        // The contract's status, except where API Gateway's own is right for the whole family.
        ...(response.type === ResponseType.DEFAULT_4XX || response.type === ResponseType.DEFAULT_5XX
          ? {}
          : { statusCode: String(API_ERRORS[response.code].status) }),
        responseHeaders: headers,
        templates: template(response.code, response.withRequestId),
      });
    }
  }

  /** CORS preflight methods answer from a mock integration: no function, no data, no token. */
  private acknowledgePreflightMethods(): void {
    for (const construct of this.api.root.node.findAll()) {
      if (construct.node.id === 'OPTIONS') {
        Validations.of(construct).acknowledge(
          { id: 'AwsSolutions-APIG4', reason: 'CORS preflight (OPTIONS) must be unauthenticated; it returns headers only.' },
          { id: 'AwsSolutions-COG4', reason: 'CORS preflight (OPTIONS) must be unauthenticated; it returns headers only.' },
        );
      }
    }
  }

  /**
   * Logs the requests the firewall blocks or counts (not every request: the access log has those),
   * with credentials and the query string redacted. WAF requires the `aws-waf-logs-` name prefix.
   */
  private logFirewallDecisions(props: ApiConstructProps): void {
    const stack = Stack.of(this);
    // WAF accepts only log groups named `aws-waf-logs-*`; the name is made unique per stack
    // instance so a group retained from an earlier stack never blocks this one.
    const logGroupName = uniquePhysicalName(this, 'api', { prefix: 'aws-waf-logs-', maxLength: 512 });
    const firewallLogs = new LogGroup(this, 'FirewallLogs', {
      logGroupName,
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: RETAIN_STATEFUL,
    });
    const logging = new CfnLoggingConfiguration(this, 'FirewallLogging', {
      resourceArn: this.webAcl.attrArn,
      // WAF wants the log group ARN without the `:*` suffix CloudFormation's Arn attribute has.
      logDestinationConfigs: [
        stack.formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: [...FIREWALL_REDACTED_HEADERS.map((name) => ({ singleHeader: { Name: name } })), { queryString: {} }],
      loggingFilter: {
        DefaultBehavior: 'DROP',
        Filters: [
          {
            Behavior: 'KEEP',
            Requirement: 'MEETS_ANY',
            Conditions: [{ ActionCondition: { Action: 'BLOCK' } }, { ActionCondition: { Action: 'COUNT' } }],
          },
        ],
      },
    });
    logging.node.addDependency(firewallLogs);
  }

  /**
   * The regional WAF in front of the stage: per-IP rate limit, body size limit, AWS managed
   * common rules and known bad inputs. Custom responses keep the contract's error shape.
   */
  private createFirewall(stage: string, ipRateLimitPer5Minutes: number): CfnWebACL {
    const visibility = (metricName: string): CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      metricName,
      // Sampled requests would keep request headers (including bearer tokens) in the WAF console.
      sampledRequestsEnabled: false,
    });
    const managedRuleGroup = (
      name: string,
      priority: number,
      ruleActionOverrides?: CfnWebACL.RuleActionOverrideProperty[],
    ): CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: {
        managedRuleGroupStatement: { vendorName: 'AWS', name, ...(ruleActionOverrides ? { ruleActionOverrides } : {}) },
      },
      visibilityConfig: visibility(name),
    });

    return new CfnWebACL(this, 'Firewall', {
      scope: 'REGIONAL',
      description: 'trial-screener API: rate limit, body size, AWS managed common rules and known bad inputs',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(`trial-screener-${stage}-api`),
      // The body-size rule can only see 64 KB if WAF inspects that much of the body.
      associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: 'KB_64' } } },
      customResponseBodies: {
        throttled: { contentType: 'APPLICATION_JSON', content: JSON.stringify(errorBody('THROTTLED')) },
        tooLarge: { contentType: 'APPLICATION_JSON', content: JSON.stringify(errorBody('PAYLOAD_TOO_LARGE')) },
      },
      rules: [
        {
          // Preflights are counted apart, so a client over its limit still gets its preflight
          // answered and then reads the JSON 429 below; a browser shows a failed preflight only
          // as a network error.
          name: 'rate-per-ip',
          priority: 0,
          action: { block: { customResponse: errorResponse(API_ERRORS.THROTTLED.status, 'throttled') } },
          statement: {
            rateBasedStatement: {
              limit: ipRateLimitPer5Minutes,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: { notStatement: { statement: isPreflight } },
            },
          },
          visibilityConfig: visibility('rate-per-ip'),
        },
        {
          name: 'preflight-rate-per-ip',
          priority: 4,
          action: { block: {} },
          statement: {
            rateBasedStatement: {
              limit: ipRateLimitPer5Minutes,
              aggregateKeyType: 'IP',
              evaluationWindowSec: 300,
              scopeDownStatement: isPreflight,
            },
          },
          visibilityConfig: visibility('preflight-rate-per-ip'),
        },
        {
          name: 'body-size',
          priority: 1,
          action: { block: { customResponse: errorResponse(API_ERRORS.PAYLOAD_TOO_LARGE.status, 'tooLarge') } },
          statement: {
            sizeConstraintStatement: {
              // Bodies beyond the inspection limit count as a match: they are over the limit too.
              fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
              comparisonOperator: 'GT',
              size: MAX_REQUEST_BODY_BYTES,
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
          visibilityConfig: visibility('body-size'),
        },
        // The common rule set blocks bodies over 8 KB; the limit is ours to set (rule above).
        managedRuleGroup('AWSManagedRulesCommonRuleSet', 2, [{ name: 'SizeRestrictions_BODY', actionToUse: { count: {} } }]),
        managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
  }
}

/**
 * CORS headers on error responses that API Gateway and WAF write themselves (throttled, too large,
 * blocked, unknown route). Neither can echo the request's `Origin`, and a fixed origin would leave
 * every other allowed page (a partner's, or the CloudFront domain once a custom domain is set)
 * with a network error instead of the message. These bodies are fixed text with no data and the
 * API uses no cookies, so `*` exposes nothing; the functions' own responses keep the exact,
 * per-origin allow-list.
 */
export const ERROR_RESPONSE_CORS_HEADERS = { 'Access-Control-Allow-Origin': '*' } as const;

/** A WAF block answering with one of the web ACL's JSON bodies, readable cross-origin. */
function errorResponse(responseCode: number, customResponseBodyKey: string): CfnWebACL.CustomResponseProperty {
  return {
    responseCode,
    customResponseBodyKey,
    responseHeaders: Object.entries(ERROR_RESPONSE_CORS_HEADERS).map(([name, value]) => ({ name, value })),
  };
}

/** CORS preflight requests: method OPTIONS. */
const isPreflight: CfnWebACL.StatementProperty = {
  byteMatchStatement: {
    fieldToMatch: { method: {} },
    positionalConstraint: 'EXACTLY',
    searchString: 'OPTIONS',
    textTransformations: [{ priority: 0, type: 'NONE' }],
  },
};

/** Request parts WAF must not write to its logs: credentials and client-chosen keys. */
const FIREWALL_REDACTED_HEADERS = ['authorization', 'idempotency-key', 'cookie'];

/**
 * One JSON object per request. `messageString` is already a quoted JSON string (API Gateway
 * escapes it), so it is written without quotes of its own.
 */
function accessLogFormat(): string {
  return JSON.stringify(ACCESS_LOG_FIELDS).replace('"$context.error.messageString"', '$context.error.messageString');
}

/** `{screeningId}` and friends in a manifest path. */
function pathParameters(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
}
