import { beforeAll, describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as classic from 'zod';
import { API_ERRORS } from '#functions/contract/http';
import { DOMAIN_ERROR_CODES, DomainError } from '#core/errors';
import * as z from '#core/zod';
import { httpHandler, ok, preflightHandler, type ApiHandler } from '#adapters/http-handler';
import { buildProxyEvent } from '#local/api-routes';

const ORIGIN = 'https://screener.example.org';

function anEvent(overrides: { method?: string; headers?: Record<string, string>; body?: string } = {}): APIGatewayProxyEvent {
  return buildProxyEvent({
    method: overrides.method ?? 'POST',
    path: '/things/thing-1',
    resource: '/things/{thingId}',
    pathParameters: { thingId: 'thing-1' },
    headers: overrides.headers ?? {},
    ...(overrides.body !== undefined ? { body: overrides.body } : {}),
    requestId: 'request-1',
  });
}

const context = {} as Context;
const invoke = async (handler: ApiHandler, event: APIGatewayProxyEvent) => {
  const result = (await handler(event, context)) as APIGatewayProxyResult;
  return { ...result, json: result.body ? JSON.parse(result.body) : undefined };
};
const jsonEvent = (body: unknown, headers: Record<string, string> = {}) =>
  anEvent({ body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', ...headers } });

describe('httpHandler', () => {
  beforeAll(() => {
    process.env.TABLE_NAME = 'unit-table';
    process.env.ALLOWED_ORIGINS = ORIGIN;
  });

  const throwing = (error: unknown) => httpHandler({ functionName: 'list-screeners' }, async () => Promise.reject(error));

  it.each(DOMAIN_ERROR_CODES.map((code) => [code, API_ERRORS[code].status] as const))(
    'answers %s with status %i and its code',
    async (code, status) => {
      const response = await invoke(throwing(new DomainError(code, 'A message for people.')), anEvent({ method: 'GET' }));

      expect(response.statusCode).toBe(status);
      expect(response.json).toEqual({ error: { code, message: 'A message for people.' } });
    },
  );

  it('turns an unexpected error into a 500 with the request id and no internals', async () => {
    const response = await invoke(throwing(new TypeError('secret internal detail')), anEvent({ method: 'GET' }));

    expect(response.statusCode).toBe(500);
    expect(response.json).toEqual({ error: { code: 'INTERNAL', message: expect.any(String), requestId: 'request-1' } });
    expect(response.body).not.toContain('secret internal detail');
  });

  it.each([
    [
      'DynamoDB Local down (connection refused)',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' }),
    ],
    [
      'DynamoDB throttling',
      Object.assign(new Error('Rate exceeded'), {
        name: 'ProvisionedThroughputExceededException',
        $metadata: { httpStatusCode: 400 },
      }),
    ],
    [
      'a DynamoDB 500',
      Object.assign(new Error('Internal'), { name: 'InternalServerError', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
    ],
    ['a timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('answers %s with 503 SERVICE_UNAVAILABLE and Retry-After', async (_label, error) => {
    const response = await invoke(throwing(error), anEvent({ method: 'GET', headers: { Origin: ORIGIN } }));

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['Retry-After']).toBe('5');
    expect(response.headers?.['Access-Control-Expose-Headers']).toBe('Retry-After');
    expect(response.json).toEqual({
      error: { code: 'SERVICE_UNAVAILABLE', message: expect.any(String), requestId: 'request-1' },
    });
    expect(response.body).not.toContain('127.0.0.1');
  });

  it('bounds the details of a refusal however many problems the request has', async () => {
    const details = Array.from({ length: 1500 }, (_, index) => ({
      path: ['answers', `<hostile key ${index}>`],
      message: 'x'.repeat(500),
    }));

    const response = await invoke(
      throwing(new DomainError('INVALID_ANSWERS', 'Some answers are not valid.', details)),
      anEvent({ method: 'GET' }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.body!.length).toBeLessThan(6 * 1024);
    expect(response.body).not.toContain('hostile key');
    expect(response.json.error.details).toHaveLength(21);
  });

  it('passes validated input to the route and serialises its result as JSON', async () => {
    const handler = httpHandler(
      {
        functionName: 'list-screeners',
        body: z.object({ count: z.number() }),
        pathParameters: z.object({ thingId: z.string() }),
      },
      async (req) => ok({ thing: req.pathParameters.thingId, doubled: req.body.count * 2 }),
    );

    const response = await invoke(handler, jsonEvent({ count: 21 }));

    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Type']).toMatch(/^application\/json/);
    expect(response.json).toEqual({ thing: 'thing-1', doubled: 42 });
  });

  it('lists every validation issue with its path', async () => {
    const handler = httpHandler(
      { functionName: 'list-screeners', body: z.object({ count: z.number(), name: z.string() }) },
      async () => ok({}),
    );

    const response = await invoke(handler, jsonEvent({ count: 'many' }));

    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('INVALID_REQUEST');
    expect(response.json.error.details.map((detail: { path: unknown }) => detail.path)).toEqual([['count'], ['name']]);
  });

  it('validates with a classic zod schema as well as a zod/mini one', async () => {
    const handler = httpHandler(
      { functionName: 'list-screeners', body: classic.object({ count: classic.number().int() }) },
      async (req) => ok({ count: req.body.count }),
    );

    const response = await invoke(handler, jsonEvent({ count: 1.5 }));

    expect(response.statusCode).toBe(400);
    expect(response.json.error.details).toEqual([{ path: ['count'], message: 'Invalid input: expected int, received number' }]);
  });

  it('gives validation issues under a configured path their domain code, first match first', async () => {
    const handler = httpHandler(
      {
        functionName: 'list-screeners',
        body: z.object({ consent: z.literal(true), contact: z.object({ email: z.email() }) }),
        issueCodes: [
          ['consent', 'CONSENT_REQUIRED'],
          ['contact', 'INVALID_CONTACT'],
        ],
      },
      async () => ok({}),
    );

    const both = await invoke(handler, jsonEvent({ consent: false, contact: { email: 'nope' } }));
    const contactOnly = await invoke(handler, jsonEvent({ consent: true, contact: { email: 'nope' } }));

    expect(both.json.error.code).toBe('CONSENT_REQUIRED');
    expect(contactOnly.json.error.code).toBe('INVALID_CONTACT');
  });

  it('refuses malformed JSON with 400 INVALID_JSON', async () => {
    const handler = httpHandler({ functionName: 'list-screeners', body: z.object({}) }, async () => ok({}));

    const response = await invoke(handler, anEvent({ body: '{"open": ', headers: { 'Content-Type': 'application/json' } }));

    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('INVALID_JSON');
  });

  it('refuses a JSON body with a __proto__ key as invalid JSON', async () => {
    const handler = httpHandler({ functionName: 'list-screeners', body: z.object({}) }, async () => ok({}));

    const response = await invoke(
      handler,
      anEvent({ body: '{"__proto__": {"polluted": true}}', headers: { 'Content-Type': 'application/json' } }),
    );

    expect(response.statusCode).toBe(400);
    expect(response.json.error.code).toBe('INVALID_JSON');
  });

  it('refuses a body sent without a JSON content type with 415', async () => {
    const handler = httpHandler({ functionName: 'list-screeners', body: z.object({}) }, async () => ok({}));

    const response = await invoke(
      handler,
      anEvent({ body: '{}', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }),
    );

    expect(response.statusCode).toBe(415);
  });

  it('refuses a body over 64 KB with 413 before parsing it', async () => {
    const handler = httpHandler({ functionName: 'list-screeners', body: z.object({}) }, async () => ok({}));

    const response = await invoke(
      handler,
      anEvent({ body: `"${'x'.repeat(65 * 1024)}"`, headers: { 'Content-Type': 'text/plain' } }),
    );

    expect(response.statusCode).toBe(413);
  });

  it('hands the bearer token to routes that need one', async () => {
    const handler = httpHandler({ functionName: 'list-screeners', auth: 'screening-token' }, async (req) =>
      ok({ token: req.token }),
    );

    const response = await invoke(handler, anEvent({ method: 'GET', headers: { Authorization: 'Bearer abc_DEF-123' } }));

    expect(response.json).toEqual({ token: 'abc_DEF-123' });
  });

  it('answers 401 TOKEN_MISSING before validating the body of a route that needs a token', async () => {
    const handler = httpHandler(
      { functionName: 'list-screeners', auth: 'screening-token', body: z.object({ required: z.string() }) },
      async () => ok({}),
    );

    const response = await invoke(handler, jsonEvent({}));

    expect(response.statusCode).toBe(401);
    expect(response.json.error.code).toBe('TOKEN_MISSING');
  });

  it('allows CORS for a configured origin only', async () => {
    const handler = httpHandler({ functionName: 'list-screeners' }, async () => ok({}));

    const allowed = await invoke(handler, anEvent({ method: 'GET', headers: { Origin: ORIGIN } }));
    const other = await invoke(handler, anEvent({ method: 'GET', headers: { Origin: 'https://elsewhere.example' } }));

    expect(allowed.headers?.['Access-Control-Allow-Origin']).toBe(ORIGIN);
    expect(other.headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });
});

describe('preflightHandler', () => {
  it('answers a preflight from an allowed origin with the allowed methods and headers', async () => {
    const response = (await preflightHandler([ORIGIN])(
      anEvent({ method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } }),
      context,
    )) as APIGatewayProxyResult;

    expect(response.statusCode).toBe(204);
    expect(response.headers).toEqual(
      expect.objectContaining({
        'Access-Control-Allow-Origin': ORIGIN,
        'Access-Control-Allow-Headers': expect.stringContaining('Idempotency-Key'),
      }),
    );
  });
});
