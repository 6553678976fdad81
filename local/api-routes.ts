/**
 * The API routes as the function manifest declares them, and the API Gateway REST (proxy
 * integration) events the local runtime and the integration tests hand to the real handlers.
 * Routes are never written here: they come from `functions/function-manifest.ts`, like the CDK stack's.
 */
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { httpFunctions, type HttpFunctionSpec } from '#functions/function-manifest';
import { lambdaContext } from './lambda-context';

export const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export type ApiHandlerFunction = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface LocalRoute {
  spec: HttpFunctionSpec;
  method: string;
  /** The manifest's template, e.g. `/screenings/{screeningId}`: API Gateway's `resource`. */
  resource: string;
  pattern: RegExp;
  parameterNames: string[];
}

export type RouteMatch =
  | { kind: 'route'; route: LocalRoute; pathParameters: Record<string, string> }
  /** The path exists but not for this method. */
  | { kind: 'method-not-allowed'; allowedMethods: string[] }
  /** A path parameter with a malformed percent-escape (`%E0%A4%A`): a 400, as API Gateway answers. */
  | { kind: 'malformed' }
  | { kind: 'none' };

/** Every HTTP route of the manifest, compiled for matching. */
export function apiRoutes(): LocalRoute[] {
  return httpFunctions().map((spec) => {
    const parameterNames: string[] = [];
    const source = spec.trigger.path
      .split('/')
      .map((segment) => {
        const parameter = /^\{(\w+)\}$/.exec(segment);
        if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        parameterNames.push(parameter[1]!);
        // Like API Gateway: a path parameter is one non-empty segment.
        return '([^/]+)';
      })
      .join('/');
    return {
      spec,
      method: spec.trigger.method,
      resource: spec.trigger.path,
      pattern: new RegExp(`^${source}/?$`),
      parameterNames,
    };
  });
}

/** The route for a method and path (without query string). */
export function matchRoute(routes: LocalRoute[], method: string, path: string): RouteMatch {
  const allowedMethods: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allowedMethods.push(route.method);
      continue;
    }
    const pathParameters: Record<string, string> = {};
    for (const [index, name] of route.parameterNames.entries()) {
      try {
        pathParameters[name] = decodeURIComponent(match[index + 1]!);
      } catch {
        return { kind: 'malformed' };
      }
    }
    return { kind: 'route', route, pathParameters };
  }
  return allowedMethods.length > 0 ? { kind: 'method-not-allowed', allowedMethods } : { kind: 'none' };
}

export interface ProxyRequest {
  method: string;
  /** The path, without the query string. */
  path: string;
  query?: URLSearchParams;
  /** Header values as Node gives them (arrays for repeated headers). */
  headers?: Record<string, string | string[] | undefined>;
  body?: string;
  resource: string;
  pathParameters?: Record<string, string> | null;
  requestId?: string;
  sourceIp?: string;
}

/** An `APIGatewayProxyEvent` as API Gateway REST builds it for a Lambda proxy integration. */
export function buildProxyEvent(request: ProxyRequest): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    multiValueHeaders[name] = values;
    // API Gateway REST keeps the last value of a repeated header in `headers`.
    headers[name] = values[values.length - 1]!;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of request.query ?? []) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const pathParameters = request.pathParameters && Object.keys(request.pathParameters).length > 0 ? request.pathParameters : null;
  const requestId = request.requestId ?? randomUUID();
  const now = new Date();

  return {
    resource: request.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters,
    stageVariables: null,
    body: request.body === undefined || request.body === '' ? null : request.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: headers.host ?? headers.Host ?? 'localhost',
      domainPrefix: 'local',
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null,
        userArn: null,
      },
      path: `/local${request.path}`,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'local',
      resourcePath: request.resource,
      stage: 'local',
    },
  };
}

const handlers = new Map<string, Promise<ApiHandlerFunction>>();

/**
 * The handler a route's manifest `entry` exports, imported on first use (so the handler's
 * configuration is read after the caller has set the environment).
 */
export function loadHandler(spec: HttpFunctionSpec): Promise<ApiHandlerFunction> {
  let handler = handlers.get(spec.entry);
  if (!handler) {
    handler = import(pathToFileURL(resolve(REPOSITORY_ROOT, spec.entry)).href).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== 'function') throw new Error(`${spec.entry} does not export a handler`);
      return module.handler as ApiHandlerFunction;
    });
    handlers.set(spec.entry, handler);
    handler.catch(() => handlers.delete(spec.entry));
  }
  return handler;
}

/** Runs one request through the matching handler, exactly as API Gateway would invoke it. */
export async function invokeRoute(route: LocalRoute, request: Omit<ProxyRequest, 'resource'>): Promise<APIGatewayProxyResult> {
  const event = buildProxyEvent({ ...request, resource: route.resource });
  const handler = await loadHandler(route.spec);
  return handler(event, lambdaContext(route.spec, event.requestContext.requestId));
}
