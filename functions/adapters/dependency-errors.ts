/**
 * Whether an error means a dependency (DynamoDB, through the AWS SDK) is unavailable for a while,
 * rather than a bug: throttling, 5xx, timeouts and connection failures, after the SDK's own
 * retries. The API answers those with 503 and `Retry-After`, which tells a client (and the form)
 * to try again, instead of a 500 that reads as "broken".
 */

const OUTAGE_ERROR_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TransactionInProgressException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node's network error codes for a peer that is down, unreachable or dropped the connection. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const NETWORK_MESSAGE = new RegExp(`\\b(${[...NETWORK_ERROR_CODES].join('|')})\\b|socket hang up`);

/** True when `error` says a dependency is down or overloaded (retry later), false otherwise. */
export function isDependencyOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const candidate = error as {
    name?: unknown;
    code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $fault?: unknown;
    cause?: unknown;
  };
  if (typeof candidate.name === 'string' && OUTAGE_ERROR_NAMES.has(candidate.name)) return true;
  if (typeof candidate.code === 'string' && NETWORK_ERROR_CODES.has(candidate.code)) return true;
  // The SDK's retry layer can re-wrap a network error as a plain Error whose message is all that
  // is left of it ("AWS SDK error wrapper for Error: connect ECONNREFUSED ...").
  if (
    typeof candidate.name === 'string' &&
    candidate.name === 'Error' &&
    NETWORK_MESSAGE.test(String((error as { message?: unknown }).message ?? ''))
  ) {
    return true;
  }
  const status = candidate.$metadata?.httpStatusCode;
  if (candidate.$fault === 'server' || (typeof status === 'number' && status >= 500)) return true;
  // A transaction cancelled because another one held the items is contention, not a refusal.
  if (
    candidate.name === 'TransactionCanceledException' &&
    /TransactionConflict|ThrottlingError/.test(String((error as Error).message))
  )
    return true;
  return candidate.cause !== undefined && candidate.cause !== error && isDependencyOutage(candidate.cause);
}
