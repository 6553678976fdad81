import { describe, expect, it } from '@jest/globals';
import { MessageRejected, SESServiceException } from '@aws-sdk/client-ses';
import { classifySesError } from '../../../functions/adapters/ses-mailer';
import { applyLocalDeliveryEnvironment, assertLoopbackSesEndpoint } from '../../../local/email-guard';

function sesError(name: string, httpStatusCode?: number): Error {
  return new SESServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: 'x@example.org was refused' });
}

describe('classifySesError', () => {
  it('treats a rejected message as permanent', () => {
    const error = new MessageRejected({ $metadata: { httpStatusCode: 400 }, message: 'Email address is not verified: x@example.org' });

    expect(classifySesError(error)).toEqual({ permanent: true, reason: 'SES MessageRejected (400)' });
  });

  it('treats throttling as transient', () => {
    expect(classifySesError(sesError('Throttling', 400))).toEqual({ permanent: false, reason: 'SES Throttling (400)' });
  });

  it('treats an account whose sending is paused as transient', () => {
    expect(classifySesError(sesError('AccountSendingPausedException', 400)).permanent).toBe(false);
  });

  it('treats a service fault as transient', () => {
    expect(classifySesError(sesError('InternalFailure', 500)).permanent).toBe(false);
  });

  it('treats a network failure without a status as transient', () => {
    expect(classifySesError(Object.assign(new Error('socket hang up'), { name: 'Error' })).permanent).toBe(false);
  });

  it('treats an unknown client error as permanent', () => {
    expect(classifySesError(sesError('SomethingNew', 400)).permanent).toBe(true);
  });

  it('never repeats the SES message, which can quote an address', () => {
    expect(classifySesError(sesError('Throttling', 400)).reason).not.toContain('@');
  });
});

describe('the local SES guard', () => {
  it.each(['http://127.0.0.1:8005', 'http://localhost:8005', 'http://[::1]:8005'])('accepts the loopback endpoint %s', (endpoint) => {
    expect(() => assertLoopbackSesEndpoint(endpoint)).not.toThrow();
  });

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
