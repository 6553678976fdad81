import { describe, expect, it } from '@jest/globals';
import { isDependencyOutage } from '#adapters/dependency-errors';

describe('isDependencyOutage', () => {
  it.each([
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a reset connection', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['throttling', { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }],
    ['exceeded throughput', { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }],
    ['a server fault', { name: 'SomethingNew', $fault: 'server', $metadata: { httpStatusCode: 500 } }],
    [
      'a network error re-wrapped by the SDK as a plain Error',
      new Error('AWS SDK error wrapper for Error: connect ECONNREFUSED 127.0.0.1:8000'),
    ],
    [
      'a wrapped network error',
      Object.assign(new Error('outer'), { cause: Object.assign(new Error('inner'), { code: 'ETIMEDOUT' }) }),
    ],
  ])('counts %s as an outage', (_label, error) => {
    expect(isDependencyOutage(error)).toBe(true);
  });

  it.each([
    ['a bug', new TypeError('x is undefined')],
    ['a validation error from DynamoDB', { name: 'ValidationException', $fault: 'client', $metadata: { httpStatusCode: 400 } }],
    ['a failed condition', { name: 'ConditionalCheckFailedException', $metadata: { httpStatusCode: 400 } }],
    ['not an object', 'boom'],
  ])('does not count %s as an outage', (_label, error) => {
    expect(isDependencyOutage(error)).toBe(false);
  });
});
