/**
 * Domain errors: each has a stable `code` that clients can rely on. The HTTP contract gives each
 * code its status in one table (`functions/contract/http.ts`, `API_ERRORS`); nothing else builds
 * error responses. Messages are written for people and never contain patient data.
 */
export const DOMAIN_ERROR_CODES = [
  'INVALID_ANSWERS',
  'SCREENER_NOT_FOUND',
  'CATALOG_NOT_LOADED',
  'SCREENING_NOT_FOUND',
  'REFERRAL_NOT_ALLOWED',
  'TRIAL_NOT_REFERABLE',
  'TRIAL_CLOSED',
  'REFERRAL_EXISTS',
  'CONSENT_REQUIRED',
  'CONSENT_TEXT_OUTDATED',
  'INVALID_CONTACT',
  'IDEMPOTENCY_KEY_REUSED',
  'TOKEN_MISSING',
  'TOKEN_INVALID',
  'OUTCOME_LIMIT_REACHED',
  'SITE_PAUSED',
] as const;
export type DomainErrorCode = (typeof DOMAIN_ERROR_CODES)[number];

export interface ErrorDetail {
  /** Path of the offending field, e.g. `["answers", "age"]`. */
  path: (string | number)[];
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: ErrorDetail[],
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * The domain's refusals, worded once. Stores and use cases throw these; the HTTP adapter gives
 * each code its status from the contract.
 */
export const refusals = {
  screenerNotFound: () => new DomainError('SCREENER_NOT_FOUND', 'There is no screener with this id.'),
  screenerGone: () => new DomainError('SCREENER_NOT_FOUND', 'The screener of this screening no longer exists.'),
  /** No catalog was ever loaded (a new deployment before `trials load` or the first sync). */
  catalogNotLoaded: () => new DomainError('CATALOG_NOT_LOADED', 'No trial catalog is loaded yet. Please try again later.'),
  invalidAnswers: (issues: ErrorDetail[]) => new DomainError('INVALID_ANSWERS', 'Some answers are missing or not valid.', issues),
  idempotencyKeyReused: () =>
    new DomainError(
      'IDEMPOTENCY_KEY_REUSED',
      'This Idempotency-Key was already used with a different request. Use a new key for a new screening.',
    ),
  /** A wrong token and an unknown screening are refused alike, so existence never leaks. */
  invalidToken: () => new DomainError('TOKEN_INVALID', 'This screening does not exist or the token does not match it.'),
  /** A referral of an urgent-care screening, whatever the request says. */
  urgentCare: () =>
    new DomainError(
      'REFERRAL_NOT_ALLOWED',
      'This screening found signs that need urgent medical care, so no details are sent to study sites.',
    ),
  referralExists: () => new DomainError('REFERRAL_EXISTS', 'This screening has already been referred.'),
  consentTextOutdated: () =>
    new DomainError(
      'CONSENT_TEXT_OUTDATED',
      'The consent text has changed since this page was loaded. Please read it again and confirm.',
    ),
  phoneRequiredForPhoneContact: () =>
    new DomainError('INVALID_CONTACT', 'Give a phone number to be contacted by phone.', [
      { path: ['contact', 'phone'], message: 'Required when phone contact is accepted' },
    ]),
  invalidPhone: () =>
    new DomainError('INVALID_CONTACT', 'The phone number is not valid.', [
      { path: ['contact', 'phone'], message: 'Not a valid phone number; include the country code if it is not in your country' },
    ]),
  /** Every lead page link that does not open this lead (wrong, another lead's, expired, unknown lead) alike. */
  invalidSiteLink: () =>
    new DomainError('TOKEN_INVALID', 'This link does not open this lead, or it has expired. Ask the operator for a new link.'),
  outcomeLimitReached: (max: number) =>
    new DomainError('OUTCOME_LIMIT_REACHED', `A lead keeps at most ${max} outcomes; ask the operator to add more.`),
  catalogReplaced: () =>
    new DomainError(
      'TRIAL_NOT_REFERABLE',
      'The trial list this screening was checked against has been replaced. Please answer the questions again.',
    ),
};

/** At most this many details in one error response. */
export const MAX_ERROR_DETAILS = 20;
const MAX_DETAIL_MESSAGE_CHARS = 200;
const MAX_PATH_SEGMENTS = 8;
/** A path segment is echoed only if it looks like a field or question id of ours. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Details as an error response may carry them: bounded in number, depth and length, and with any
 * path segment that is not a plain field name replaced, so a response never grows with the
 * request and never echoes what a client sent as a key. The first detail keeps its place; a
 * last one says how many were left out.
 */
export function boundErrorDetails(details: readonly ErrorDetail[] | undefined): ErrorDetail[] | undefined {
  if (!details || details.length === 0) return undefined;
  const bounded = details.slice(0, MAX_ERROR_DETAILS).map((detail) => ({
    path: detail.path
      .slice(0, MAX_PATH_SEGMENTS)
      .map((segment) => (typeof segment === 'number' || FIELD_NAME.test(segment) ? segment : '(field)')),
    message:
      detail.message.length > MAX_DETAIL_MESSAGE_CHARS
        ? `${detail.message.slice(0, MAX_DETAIL_MESSAGE_CHARS - 1)}…`
        : detail.message,
  }));
  if (details.length > MAX_ERROR_DETAILS) {
    bounded.push({ path: [], message: `${details.length - MAX_ERROR_DETAILS} more problems not listed.` });
  }
  return bounded;
}
