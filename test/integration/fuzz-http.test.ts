/**
 * Fuzzing every route at the HTTP edge (the local runtime's `node:http` adapter in front of the
 * real handlers, on DynamoDB Local): hostile paths (malformed percent-escapes, traversal, any
 * Unicode), headers (media types, tokens, Idempotency-Keys) and bodies (any JSON, deep, wide, not
 * JSON at all, near-valid requests with hostile keys and strings). Whatever comes in: never a 5xx,
 * every error is the JSON error body, small, and never repeats a submitted key.
 *
 * FUZZ_RUNS cases per route: 1,000 in `npm test`, 10,000 in `npm run soak`.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fc from 'fast-check';
import { httpFunctions } from '#functions/function-manifest';
import { findFreePort } from '#local/dynamodb-local';
import { startHttpAdapter, type RunningHttpAdapter } from '#local/http-adapter';
import { aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, TEST_ORIGIN, type TestApi } from '#test/setup/api';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
/** An error body is a code, a message and at most a bounded list of details. */
const MAX_ERROR_BYTES = 4096;
/** A marker no route would produce on its own: if an error body contains it, it echoed input. */
const MARKER = 'zqxj';

let api: TestApi;
let adapter: RunningHttpAdapter;
let known: { screeningId: string; token: string };

beforeAll(async () => {
  api = await startTestApi({ screeners: [aScreener()], trials: [aTrial()] });
  adapter = await startHttpAdapter({ port: await findFreePort(), allowedOrigins: [TEST_ORIGIN] });
  const screening = await api.request('POST', '/screenings', {
    body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
  });
  known = { screeningId: screening.body.screeningId, token: screening.body.token };
}, 60_000);

afterAll(async () => {
  await adapter?.stop();
});

interface RawResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Sends exactly these bytes (no URL normalisation, so malformed escapes reach the server). */
function send(method: string, path: string, headers: Record<string, string>, body: string | undefined): Promise<RawResponse> {
  const port = Number(new URL(adapter.url).port);
  const framed = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: framed }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          contentType: String(response.headers['content-type'] ?? ''),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      response.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A path segment as a client might send it: encoded text, raw hostile escapes, or a known id. */
const segment = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((text) => encodeURIComponent(`${MARKER}${text}`)),
  fc.constantFrom(
    '%',
    '%E0%A4%A',
    '%ZZ',
    '%00',
    '%C0%AF',
    '..%2F..%2Fetc%2Fpasswd',
    '%ED%A0%80',
    '%F0%9F',
    `${MARKER}%`,
    '%2e%2e',
  ),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,60}$/),
  fc.constant('known'),
);

/** Any JSON value, deep and wide, with marked hostile keys and strings. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => `${MARKER}${text}`),
    fc.string({ unit: 'binary', maxLength: 30 }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ maxLength: 12 }).map((key) => `${MARKER}${key}`),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;

/** Near-valid bodies for each route, with one part replaced by something hostile. */
const body = fc.oneof(
  hostileJson.map((value) => JSON.stringify(value)),
  fc
    .record({ screenerId: fc.constantFrom('lower-back-pain', `${MARKER}x`), answers: hostileJson })
    .map((value) => JSON.stringify(value)),
  fc
    .dictionary(
      fc.string({ maxLength: 20 }).map((key) => `${MARKER}${key}`),
      fc.string({ maxLength: 5 }),
      { maxKeys: 200 },
    )
    .map((answers) => JSON.stringify({ screenerId: 'lower-back-pain', answers: { ...adultWithChronicBackPain(), ...answers } })),
  fc
    .record({
      trialIds: fc.array(fc.oneof(fc.constant('NCT00000001'), fc.string({ maxLength: 14 })), { maxLength: 12 }),
      contact: fc.record({
        name: fc.string({ unit: 'binary', maxLength: 30 }),
        email: fc.string({ maxLength: 30 }),
        phone: fc.string({ maxLength: 20 }),
      }),
      consent: fc.record({ shareWithSites: fc.oneof(fc.constant(true), hostileJson), textVersion: fc.string({ maxLength: 10 }) }),
    })
    .map((value) => JSON.stringify(value)),
  fc
    .record({ outcome: fc.string({ maxLength: 20 }), reason: fc.string({ unit: 'binary', maxLength: 50 }) })
    .map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('', '{', '{"__proto__": {"x": 1}}', 'null', '[]', '{"a":'.repeat(500)),
);

const headers = fc.record(
  {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'text/plain',
      'application/xml',
      'application/json;;',
      '',
    ),
    authorization: fc.oneof(
      fc.constant('use-known'),
      fc.string({ maxLength: 40 }).map((token) => `Bearer ${MARKER}${token.replace(/[^\x21-\x7e]/g, '')}`),
      fc.constantFrom('Bearer', 'Basic abc', 'Bearer a b c', ''),
    ),
    'idempotency-key': fc.stringMatching(/^[\x21-\x7e]{0,140}$/),
    origin: fc.constantFrom(TEST_ORIGIN, 'https://evil.example', 'null'),
  },
  { requiredKeys: [] },
);

const routes = httpFunctions().map(
  (spec) => [`${spec.trigger.method} ${spec.trigger.path}`, spec.trigger.method, spec.trigger.path] as const,
);

describe('the HTTP edge', () => {
  it.each(['/screenings/%E0%A4%A', '/screenings/%', '/screeners/%ZZ', '/screenings/%ED%A0%80/referrals'])(
    'answers a malformed percent-escape in the path (%s) with a 400 JSON error',
    async (path) => {
      const response = await send(path.endsWith('referrals') ? 'POST' : 'GET', path, {}, undefined);

      expect(response.status).toBe(400);
      expect(JSON.parse(response.body)).toEqual({ error: { code: 'INVALID_REQUEST', message: expect.any(String) } });
    },
  );
});

describe('every route at the HTTP edge, fuzzed', () => {
  it.each(routes)(
    `answers ${RUNS} hostile requests to %s without a 5xx, with small JSON errors that echo nothing`,
    async (_name, method, template) => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(segment, { minLength: 1, maxLength: 2 }),
          headers,
          body,
          async (segments, requestHeaders, requestBody) => {
            let index = 0;
            const path = template.replace(/\{[^}]+\}/g, () => {
              const value = segments[index++ % segments.length]!;
              return value === 'known' ? known.screeningId : value;
            });
            const sentHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(requestHeaders)) {
              if (value === undefined || value === '') continue;
              sentHeaders[name] = name === 'authorization' && value === 'use-known' ? `Bearer ${known.token}` : value;
            }
            const response = await send(method, path, sentHeaders, method === 'GET' ? undefined : requestBody);

            expect(response.status).toBeLessThan(500);
            if (response.status >= 400) {
              expect(response.contentType).toMatch(/^application\/json/);
              expect(Buffer.byteLength(response.body)).toBeLessThan(MAX_ERROR_BYTES);
              const parsed = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
              expect(typeof parsed.error?.code).toBe('string');
              expect(typeof parsed.error?.message).toBe('string');
              expect(response.body).not.toContain(MARKER);
            }
          },
        ),
        { numRuns: RUNS, endOnFailure: true },
      );
    },
    600_000,
  );
});
