/**
 * The HTTP contract (API v1): every fact about the HTTP edge that more than one place needs,
 * defined once. The handlers' middy stack (`functions/adapters/http-handler.ts`), the CDK stack
 * (API Gateway's own error responses, CORS preflight, the firewall's body limit, CloudFront's
 * security headers), the local runtime (`local/http-adapter.ts`) and the tests all read it.
 *
 * This file must stay free of imports so that CDK, the local runtime and the web form can load it
 * cheaply (`npm run lint` enforces it). Request and response schemas are in `./api-schemas.ts`.
 */

/** The API version is the stage: URLs read `https://<api>/v1/screenings`. */
export const API_VERSION = 'v1';

/**
 * API Gateway REST accepts 10 MB; a screening or referral is a few KB, so bodies over this are
 * refused by the firewall (in AWS) and by the handlers (everywhere) before anything parses them.
 */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** Headers the web form sends; anything else is refused by CORS preflight. */
export const ALLOWED_REQUEST_HEADERS = ['Content-Type', 'Authorization', 'Idempotency-Key'] as const;

/** Methods the API answers (CORS preflight lists them). */
export const ALLOWED_METHODS = ['GET', 'POST', 'DELETE', 'OPTIONS'] as const;

/**
 * How long a browser may reuse a preflight answer. Chromium caps it at two hours; one hour saves a
 * patient on a slow phone a round trip per request without pinning a changed policy for long.
 */
export const CORS_MAX_AGE_SECONDS = 60 * 60;

/** How long a browser keeps to HTTPS for the form's origin (two years, the preload list's minimum is one). */
export const HSTS_MAX_AGE_SECONDS = 730 * 24 * 60 * 60;

/**
 * Every error code the API answers with, its status and the message used when the code is raised
 * by the HTTP layer or by API Gateway itself. Domain refusals (`functions/core/errors.ts`) carry
 * their own, more specific wording; their codes must appear here (the HTTP adapter's types check it).
 */
export const API_ERRORS = {
  // The HTTP layer and API Gateway.
  INVALID_REQUEST: { status: 400, message: 'The request is not valid.' },
  INVALID_JSON: { status: 400, message: 'The request body is not valid JSON.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: `The request body is larger than ${MAX_REQUEST_BODY_BYTES / 1024} KB.` },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    message: 'The request body must be JSON, sent with Content-Type: application/json.',
  },
  NOT_FOUND: { status: 404, message: 'There is no such resource.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this resource.' },
  THROTTLED: { status: 429, message: 'Too many requests. Please wait a moment and try again.' },
  REQUEST_BLOCKED: { status: 403, message: 'The request was blocked by the firewall.' },
  INTERNAL: { status: 500, message: 'Something went wrong on our side. Please try again later.' },
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is briefly unavailable. Please try again in a few seconds.' },
  // Domain refusals (the message here is the fallback; the core's is sent).
  INVALID_ANSWERS: { status: 400, message: 'Some answers are missing or not valid.' },
  SCREENER_NOT_FOUND: { status: 404, message: 'There is no screener with this id.' },
  CATALOG_NOT_LOADED: { status: 503, message: 'No trial catalog is loaded yet. Please try again later.' },
  SCREENING_NOT_FOUND: { status: 404, message: 'There is no such screening.' },
  REFERRAL_NOT_ALLOWED: { status: 409, message: 'This screening cannot be referred.' },
  TRIAL_NOT_REFERABLE: { status: 409, message: 'A chosen trial cannot take this referral.' },
  TRIAL_CLOSED: { status: 409, message: 'A chosen study has stopped recruiting, or its record is no longer current.' },
  REFERRAL_EXISTS: { status: 409, message: 'This screening has already been referred.' },
  CONSENT_REQUIRED: { status: 400, message: 'Consent to share your details with the study sites is required.' },
  CONSENT_TEXT_OUTDATED: { status: 409, message: 'The consent text has changed. Please read it again and confirm.' },
  INVALID_CONTACT: { status: 400, message: 'The contact details are not valid.' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'This Idempotency-Key was already used with a different request.' },
  TOKEN_MISSING: { status: 401, message: 'This request needs the screening token: Authorization: Bearer <token>.' },
  TOKEN_INVALID: { status: 403, message: 'This screening does not exist or the token does not match it.' },
  OUTCOME_LIMIT_REACHED: { status: 409, message: 'This lead has as many recorded outcomes as it can keep.' },
  SITE_PAUSED: { status: 409, message: 'This study site is not taking referrals at the moment.' },
} as const satisfies Record<string, { readonly status: number; readonly message: string }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Seconds a client is asked to wait (`Retry-After`) after a 503 for a dependency outage. */
export const RETRY_AFTER_SECONDS = 5;

/** One field-level problem: the path of the field and what is wrong, never the value sent. */
export interface ApiErrorDetail {
  path: (string | number)[];
  message: string;
}

/** The body of every error response. `requestId` only on 500s, for the operator's logs. */
export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: ApiErrorDetail[]; requestId?: string };
}

/** The JSON error body every refusal uses (handlers, the local runtime, API Gateway's own responses). */
export function errorBody(
  code: ApiErrorCode,
  message: string = API_ERRORS[code].message,
  details?: ApiErrorDetail[],
  requestId?: string,
): ApiErrorBody {
  return { error: { code, message, ...(details && details.length > 0 ? { details } : {}), ...(requestId ? { requestId } : {}) } };
}

export interface ContentSecurityPolicyOptions {
  /** Origins besides the page's own that it may fetch from: the API's, when it is elsewhere. */
  readonly connectTo?: readonly string[];
}

/**
 * The web form's Content-Security-Policy, sent by CloudFront in AWS and by the local runtime on
 * `npm start`: the page loads only its own scripts, styles and images (the build inlines nothing,
 * see `web/vite.config.ts`), talks only to itself and the API, posts no form anywhere else and is
 * never framed.
 */
export function contentSecurityPolicy(options: ContentSecurityPolicyOptions = {}): string {
  return [
    "default-src 'self'",
    ['connect-src', "'self'", ...(options.connectTo ?? [])].join(' '),
    "img-src 'self'",
    "style-src 'self'",
    "script-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}

/** The file beside the form's page that tells it where the API is (written by the deploy). */
export const WEB_CONFIG_FILE = 'config.json';

/** What `config.json` holds: the API's base URL, or `""` when the API is on the page's own origin. */
export interface WebConfig {
  apiBaseUrl: string;
}

/** Referrer policy of the form: a lead page's link must never leak in a Referer header. */
export const REFERRER_POLICY = 'no-referrer';

/**
 * The form's security headers, as CloudFront's response headers policy sends them
 * (`lib/web-construct.ts` builds that policy from the same values). HSTS only over HTTPS: the
 * local runtime serves plain HTTP on loopback, where browsers ignore it anyway.
 */
export function webSecurityHeaders(options: ContentSecurityPolicyOptions & { https?: boolean } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    ...(options.https === false
      ? {}
      : { 'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains; preload` }),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': REFERRER_POLICY,
    'X-Frame-Options': 'DENY',
  };
}
