import { describe, expect, it } from '@jest/globals';
import { MessageRejected, SESServiceException } from '@aws-sdk/client-ses';
import { classifySesError, HELD_SES_ERRORS, PERMANENT_SES_ERRORS } from '#adapters/ses-mailer';
import { applyLocalDeliveryEnvironment, assertLoopbackSesEndpoint } from '#local/email-guard';

function sesError(name: string, httpStatusCode?: number): Error {
  return new SESServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: 'x@example.org was refused' });
}

describe('classifySesError', () => {
  it.each(PERMANENT_SES_ERRORS.filter((name) => name !== 'MessageRejected'))(
    'treats %s as permanent (about this message)',
    (name) => {
      expect(classifySesError(sesError(name, 400))).toEqual({ retry: 'never', reason: `SES ${name} (400)` });
    },
  );

  it('treats a rejected message as permanent', () => {
    const error = new MessageRejected({ $metadata: { httpStatusCode: 400 }, message: 'Message rejected: content' });

    expect(classifySesError(error)).toEqual({ retry: 'never', reason: 'SES MessageRejected (400)' });
  });

  it('holds a message SES rejects because an address is not verified (the sandbox), as SES words it', () => {
    const error = new MessageRejected({
      $metadata: { httpStatusCode: 400 },
      message: 'Email address is not verified. The following identities failed the check in region US-EAST-1: x@example.org',
    });

    expect(classifySesError(error)).toEqual({
      retry: 'held',
      reason: 'SES MessageRejected (400): identity not verified (SES sandbox or sender)',
    });
  });

  it.each(HELD_SES_ERRORS)('holds %s (the operator must fix it) instead of failing the lead', (name) => {
    expect(classifySesError(sesError(name, 403))).toEqual({ retry: 'held', reason: `SES ${name} (403)` });
  });

  it.each([
    ['throttling', 'Throttling', 400],
    ['a throttling exception', 'ThrottlingException', 400],
    ['a service fault', 'InternalFailure', 500],
    ['an unavailable service', 'ServiceUnavailable', 503],
    ['an unknown client error', 'SomethingNew', 400],
  ] as const)('treats %s as transient', (_label, name, status) => {
    expect(classifySesError(sesError(name, status))).toEqual({ retry: 'later', reason: `SES ${name} (${status})` });
  });

  it.each([
    ['a dropped connection', Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' })],
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { name: 'Error', code: 'ECONNREFUSED' }),
    ],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['an aborted send', Object.assign(new Error('aborted'), { name: 'AbortError' })],
    ['something that is not an error', 'boom'],
  ])('treats %s as transient', (_label, error) => {
    expect(classifySesError(error).retry).toBe('later');
  });

  it('never repeats the SES message, which can quote an address', () => {
    expect(classifySesError(sesError('Throttling', 400)).reason).not.toContain('@');
    expect(
      classifySesError(new MessageRejected({ $metadata: {}, message: 'Email address is not verified: x@example.org' })).reason,
    ).not.toContain('@');
  });
});

describe('the local SES guard', () => {
  it.each(['http://127.0.0.1:8005', 'http://localhost:8005', 'http://[::1]:8005'])(
    'accepts the loopback endpoint %s',
    (endpoint) => {
      expect(() => assertLoopbackSesEndpoint(endpoint)).not.toThrow();
    },
  );

  it.each([
    ['no endpoint (the real SES)', undefined],
    ['a regional SES endpoint', 'https://email.us-east-1.amazonaws.com'],
    ['a private-network address', 'http://10.0.0.5:8005'],
    ['a host that only starts like localhost', 'http://localhost.example.com:8005'],
  ])('refuses %s', (_name, endpoint) => {
    expect(() => assertLoopbackSesEndpoint(endpoint)).toThrow(/Refusing to run locally/);
  });

  it('never approves the catalog contacts when SES is not the local emulator', () => {
    const env: NodeJS.ProcessEnv = { AWS_ENDPOINT_URL_SES: 'https://email.eu-west-1.amazonaws.com' };
    const context = { tableName: 't', dataDir: '/tmp', origin: 'http://localhost:3000', urls: [] };

    expect(() => applyLocalDeliveryEnvironment(context, env)).toThrow(/Refusing/);
    expect(env.CATALOG_CONTACTS_APPROVED).toBeUndefined();
  });

  it('approves the catalog contacts locally behind the emulator', () => {
    const env: NodeJS.ProcessEnv = { AWS_ENDPOINT_URL_SES: 'http://127.0.0.1:8005' };
    const context = { tableName: 't', dataDir: '/tmp', origin: 'http://localhost:3000', urls: [] };

    applyLocalDeliveryEnvironment(context, env);

    expect(env).toMatchObject({ CATALOG_CONTACTS_APPROVED: 'true', PUBLIC_APP_URL: 'http://localhost:3000/', TABLE_NAME: 't' });
  });
});
