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
