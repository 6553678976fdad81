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
  catalogReplaced: () =>
    new DomainError(
      'TRIAL_NOT_REFERABLE',
      'The trial list this screening was checked against has been replaced. Please answer the questions again.',
    ),
};
