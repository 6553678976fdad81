/**
 * The one place that composes the middy stack for API handlers and maps errors to HTTP.
 *
 * Order of the stack (middy runs `before` in `use` order, `after`/`onError` in reverse):
 * request log, CORS, security headers, header normaliser, body guard (size, media type), JSON body
 * parser, zod validation, bearer token extraction, then the error mapper, whose `onError` runs
 * first so CORS and security headers are added to error responses too.
 *
 * Every error response is `{"error": {"code", "message", "details"?}}`; unknown errors become a
 * 500 with the request id and no internals. Bodies are never logged.
 */
import middy from '@middy/core';
import type { MiddlewareObj, Request } from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { FunctionName } from '#functions/function-manifest';
import { FUNCTIONS } from '#functions/function-manifest';
import { boundErrorDetails, DomainError, type DomainErrorCode, type ErrorDetail } from '#core/errors';
import * as z from '#core/zod';
import {
  ALLOWED_METHODS,
  ALLOWED_REQUEST_HEADERS,
  API_ERRORS,
  type ApiErrorCode,
  CORS_MAX_AGE_SECONDS,
  errorBody,
  MAX_REQUEST_BODY_BYTES,
  RETRY_AFTER_SECONDS,
} from '#functions/contract/http';
import { loadConfig, type Config } from './config';
import { isDependencyOutage } from './dependency-errors';
import { logger } from './logger';

/** Codes of errors the HTTP layer itself raises (the domain's codes live in `core/errors.ts`). */
type HttpErrorCode = Exclude<ApiErrorCode, DomainErrorCode>;

/** Statuses of middy's own HTTP errors, by code. 422 only comes from the JSON parser. */
const MIDDY_ERROR_CODE: Record<number, HttpErrorCode> = {
  400: 'INVALID_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'INVALID_JSON',
  429: 'THROTTLED',
};

/** What a route handler returns; the body is serialised as JSON here. */
export interface HttpResult {
  statusCode: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export const ok = (body: unknown): HttpResult => ({ statusCode: 200, body });
export const created = (body: unknown): HttpResult => ({ statusCode: 201, body });
export const accepted = (body: unknown): HttpResult => ({ statusCode: 202, body });
export const noContent = (): HttpResult => ({ statusCode: 204 });

/**
 * A request schema: any zod schema (`zod/mini`, as the handlers use, or classic zod), typed by
 * zod's shared core so neither flavour is required.
 */
type RequestSchema = z.core.$ZodType;
type Output<S> = S extends RequestSchema ? z.output<S> : undefined;

export interface HttpRequest<Body, PathParameters, Headers, Token> {
  body: Body;
  pathParameters: PathParameters;
  /** Only the headers the route declared, validated. */
  headers: Headers;
  /** The bearer token, present (not yet verified) on routes with `auth` (a screening token or a lead page link's). */
  token: Token;
}

export interface HttpContext {
  requestId: string;
  config: Readonly<Config>;
  lambdaContext: Context;
}

/** Which bearer token a route needs: the patient's screening token, or a site's lead page link token. */
export type BearerAuth = 'screening-token' | 'site-link';

const MISSING_TOKEN_MESSAGE: Record<BearerAuth, string> = {
  'screening-token': 'This request needs the screening token: Authorization: Bearer <token>.',
  'site-link': 'This request needs the token of the lead page link: Authorization: Bearer <token>.',
};

export interface HttpHandlerOptions<B, P, H, A> {
  /** Manifest name of the function: selects its configuration and names its log lines. */
  functionName: FunctionName;
  body?: B;
  pathParameters?: P;
  /** Schema over lower-cased header names, e.g. `{ 'idempotency-key': ... }`. */
  headers?: H;
  auth?: A;
  /**
   * Validation failures under these body paths carry a domain code instead of INVALID_REQUEST,
   * first match wins (e.g. `[['consent', 'CONSENT_REQUIRED'], ['contact', 'INVALID_CONTACT']]`).
   */
  issueCodes?: ReadonlyArray<readonly [string, DomainErrorCode]>;
}

export type ApiHandler = middy.MiddyfiedHandler<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>;

interface ParsedParts {
  body?: unknown;
  pathParameters?: unknown;
  headers?: unknown;
  token?: string;
}

/** Validated inputs by event object: middy hands the route only `(event, context)`. */
const parsedInputs = new WeakMap<APIGatewayProxyEvent, ParsedParts>();

type HttpMiddyRequest = Request<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context, { parsed?: ParsedParts }>;

/**
 * Builds an API Gateway (REST, proxy integration) handler from zod schemas and a route function.
 * The route function receives validated input and returns an `HttpResult`; it throws
 * `DomainError`s for refusals and never builds error responses itself.
 */
export function httpHandler<
  B extends RequestSchema | undefined = undefined,
  P extends RequestSchema | undefined = undefined,
  H extends RequestSchema | undefined = undefined,
  A extends BearerAuth | undefined = undefined,
>(
  options: HttpHandlerOptions<B, P, H, A>,
  route: (
    req: HttpRequest<Output<B>, Output<P>, Output<H>, A extends BearerAuth ? string : undefined>,
    ctx: HttpContext,
  ) => Promise<HttpResult>,
): ApiHandler {
  const config = loadConfig(options.functionName);
  const spec = FUNCTIONS.find((candidate) => candidate.name === options.functionName);
  const routeName = spec && spec.trigger.kind === 'http' ? `${spec.trigger.method} ${spec.trigger.path}` : options.functionName;

  const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(requestLog(routeName))
    .use(httpCors(corsOptions(config.ALLOWED_ORIGINS)))
    .use(httpSecurityHeaders())
    .use(httpHeaderNormalizer())
    .use(bodyGuard(options.body !== undefined));
  if (options.body !== undefined) handler.use(httpJsonBodyParser());
  handler.use(validation(options)).use(errorMapper());

  return handler.handler(async (event, context) => {
    const parsed = parsedInputs.get(event) ?? {};
    const result = await route(
      {
        body: parsed.body,
        pathParameters: parsed.pathParameters,
        headers: parsed.headers,
        token: parsed.token,
      } as HttpRequest<Output<B>, Output<P>, Output<H>, A extends BearerAuth ? string : undefined>,
      { requestId: requestIdOf(event, context), config, lambdaContext: context },
    );
    return toProxyResult(result);
  }) as ApiHandler;
}

/** CORS rules shared by every handler and by the local runtime's preflight answers. */
export function corsOptions(allowedOrigins: readonly string[]) {
  return {
    origins: [...allowedOrigins],
    headers: ALLOWED_REQUEST_HEADERS.join(','),
    methods: ALLOWED_METHODS.join(','),
    // The form reads Retry-After on a 503 to say when to try again.
    exposeHeaders: 'Retry-After',
    maxAge: CORS_MAX_AGE_SECONDS,
  };
}

/**
 * A handler answering CORS preflight (OPTIONS) requests with the same rules as the API. In AWS,
 * API Gateway answers preflights itself (configured by the CDK stack from the same origins); the
 * local runtime uses this.
 */
export function preflightHandler(allowedOrigins: readonly string[]): ApiHandler {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context>()
    .use(httpHeaderNormalizer())
    .use(httpCors({ ...corsOptions(allowedOrigins), disableBeforePreflightResponse: false }))
    .handler(async () => ({ statusCode: 204, headers: {}, body: '' })) as ApiHandler;
}

function toProxyResult(result: HttpResult): APIGatewayProxyResult {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...result.headers };
  if (result.statusCode === 204 || result.body === undefined) {
    return { statusCode: result.statusCode, headers, body: '' };
  }
  return {
    statusCode: result.statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(result.body),
  };
}

function requestIdOf(event: APIGatewayProxyEvent, context: Context | undefined): string {
  return event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
}

/** One log line per request: route, status, duration and request id. Never a body or header value. */
function requestLog(route: string): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  const started = new WeakMap<object, number>();
  const log = (request: HttpMiddyRequest) => {
    const startedAt = started.get(request) ?? performance.now();
    logger.info('request', {
      route,
      status: request.response?.statusCode ?? 500,
      durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
      requestId: requestIdOf(request.event, request.context),
    });
  };
  return {
    before: (request) => {
      started.set(request, performance.now());
    },
    after: log,
    onError: log,
  };
}

/** Size and media-type checks before any parsing, so oversized or non-JSON bodies are never read. */
function bodyGuard(expectsBody: boolean): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: (request) => {
      const { body, isBase64Encoded } = request.event;
      const hasBody = typeof body === 'string' && body.length > 0;
      if (hasBody) {
        const bytes = isBase64Encoded ? Buffer.from(body, 'base64').length : Buffer.byteLength(body, 'utf8');
        if (bytes > MAX_REQUEST_BODY_BYTES) throw new HttpRequestError('PAYLOAD_TOO_LARGE');
      }
      if (!expectsBody) return;
      if (!hasBody) throw new HttpRequestError('INVALID_REQUEST', 'A JSON request body is required.');
      const contentType = request.event.headers?.['content-type'];
      if (!contentType || !/^application\/json\s*(;|$)/i.test(contentType)) {
        throw new HttpRequestError('UNSUPPORTED_MEDIA_TYPE');
      }
    },
  };
}

/** An HTTP-layer error with its own code (not a domain refusal, not a middy error). */
class HttpRequestError extends Error {
  constructor(
    readonly code: HttpErrorCode,
    message: string = API_ERRORS[code].message,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'HttpRequestError';
  }
}

function validation<B, P, H, A>(
  options: HttpHandlerOptions<B, P, H, A>,
): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    before: (request) => {
      const event = request.event;
      const parsed: ParsedParts = {};
      const issues: ErrorDetail[] = [];

      const check = (schema: unknown, input: unknown, prefix: (string | number)[]) => {
        if (schema === undefined) return undefined;
        const result = z.safeParse(schema as RequestSchema, input);
        if (result.success) return result.data;
        for (const issue of result.error.issues) {
          issues.push({
            path: [...prefix, ...issue.path.filter((key): key is string | number => typeof key !== 'symbol')],
            message: issue.message,
          });
        }
        return undefined;
      };

      parsed.pathParameters = check(options.pathParameters, event.pathParameters ?? {}, []);
      parsed.headers = check(options.headers, event.headers ?? {}, ['headers']);
      if (issues.length > 0) {
        throw new HttpRequestError('INVALID_REQUEST', 'The request is not valid.', issues);
      }
      // The token's presence is checked before the body: an anonymous caller learns nothing more.
      if (options.auth === 'screening-token' || options.auth === 'site-link') {
        const authorization = event.headers?.authorization;
        const match = typeof authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
        if (!match?.[1]) throw new DomainError('TOKEN_MISSING', MISSING_TOKEN_MESSAGE[options.auth as BearerAuth]);
        parsed.token = match[1];
      }

      parsed.body = check(options.body, event.body, []);
      if (issues.length > 0) {
        const domainCode = codeForIssues(issues, options.issueCodes ?? []);
        if (domainCode) throw new DomainError(domainCode, API_ERRORS[domainCode].message, issues);
        throw new HttpRequestError('INVALID_REQUEST', 'The request body is not valid.', issues);
      }
      parsedInputs.set(event, parsed);
    },
  };
}

function codeForIssues(
  issues: ErrorDetail[],
  issueCodes: ReadonlyArray<readonly [string, DomainErrorCode]>,
): DomainErrorCode | undefined {
  for (const [prefix, code] of issueCodes) {
    const wanted = prefix.split('.');
    if (issues.some((issue) => wanted.every((segment, index) => String(issue.path[index]) === segment))) return code;
  }
  return undefined;
}

/** Turns any thrown error into the JSON error response; runs first among the `onError` hooks. */
function errorMapper(): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, Context> {
  return {
    onError: (request) => {
      const error = request.error as unknown;
      const requestId = requestIdOf(request.event, request.context);
      let status: number;
      let body: ReturnType<typeof errorBody>;
      let headers: Record<string, string> | undefined;

      if (error instanceof DomainError) {
        // Indexing the contract by a domain code is the check that every domain code is in it.
        status = API_ERRORS[error.code].status;
        body = errorBody(error.code, error.message, boundErrorDetails(error.details));
      } else if (error instanceof HttpRequestError) {
        status = API_ERRORS[error.code].status;
        body = errorBody(error.code, error.message, boundErrorDetails(error.details));
      } else if (isExposedHttpError(error) && MIDDY_ERROR_CODE[error.statusCode]) {
        const code = MIDDY_ERROR_CODE[error.statusCode]!;
        status = API_ERRORS[code].status;
        // middy's messages may quote the input (the JSON parser's does): the contract's never do.
        body = errorBody(code);
      } else if (isDependencyOutage(error)) {
        // Nothing was written (every multi-item write is one transaction): the client may retry.
        status = API_ERRORS.SERVICE_UNAVAILABLE.status;
        body = errorBody('SERVICE_UNAVAILABLE', API_ERRORS.SERVICE_UNAVAILABLE.message, undefined, requestId);
        headers = { 'Retry-After': String(RETRY_AFTER_SECONDS) };
        logger.warn('dependency unavailable', { requestId, error: { name: (error as Error).name ?? 'Error' } });
      } else {
        status = 500;
        body = errorBody('INTERNAL', API_ERRORS.INTERNAL.message, undefined, requestId);
        // Name and message only: a stack or the error's properties could carry request data.
        const { name, message } = error instanceof Error ? error : { name: typeof error, message: '' };
        logger.error('unhandled error', { requestId, error: { name, message: message.slice(0, 300) } });
      }
      request.response = toProxyResult({ statusCode: status, body, headers });
    },
  };
}

function isExposedHttpError(error: unknown): error is { statusCode: number; message: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { statusCode?: unknown }).statusCode === 'number' &&
    (error as { expose?: unknown }).expose === true
  );
}
