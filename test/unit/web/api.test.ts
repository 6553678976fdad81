import { describe, expect, it } from '@jest/globals';
import { ApiError, ScreenerApi, resolveApiBaseUrl } from '../../../web/src/api';

interface RecordedRequest {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch that records each request and answers with the given status and body. */
function fakeFetch(status: number, body: string, requests: RecordedRequest[] = []): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(input), init });
    return new Response(body || null, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
}

describe('resolveApiBaseUrl', () => {
  it('uses the apiBaseUrl written to config.json at deploy', async () => {
    const base = await resolveApiBaseUrl(fakeFetch(200, JSON.stringify({ apiBaseUrl: 'https://api.example.org/prod/' })));

    expect(base).toBe('https://api.example.org/prod');
  });

  it('falls back to the same origin when there is no config.json', async () => {
    expect(await resolveApiBaseUrl(fakeFetch(404, ''))).toBe('');
  });

  it('falls back to the same origin when the host answers with a page instead of JSON', async () => {
    expect(await resolveApiBaseUrl(fakeFetch(200, '<!doctype html><html></html>'))).toBe('');
  });
});

describe('ScreenerApi', () => {
  it('sends the idempotency key with a screening', async () => {
    const requests: RecordedRequest[] = [];
    const api = new ScreenerApi('https://api.example.org', fakeFetch(201, '{"screeningId":"s1"}', requests));

    await api.submitScreening('lower-back-pain', { age: 40 }, 'key-1');

    expect(new Headers(requests[0]!.init!.headers).get('idempotency-key')).toBe('key-1');
  });

  it('sends the screening token as a bearer token when erasing', async () => {
    const requests: RecordedRequest[] = [];
    const api = new ScreenerApi('', fakeFetch(204, '', requests));

    await api.eraseScreening('s1', 'secret-token');

    expect(new Headers(requests[0]!.init!.headers).get('authorization')).toBe('Bearer secret-token');
  });

  it('turns an error response into an ApiError with its code, message and field details', async () => {
    const body = {
      error: {
        code: 'INVALID_CONTACT',
        message: 'Check your contact details.',
        details: [{ path: ['contact', 'email'], message: 'Enter an email.' }],
      },
    };
    const api = new ScreenerApi('', fakeFetch(400, JSON.stringify(body)));

    const error = await api
      .createReferral('s1', 't', {
        trialIds: [],
        contact: { name: 'A', email: 'x' },
        consent: { shareWithSites: true, phoneContact: false, textVersion: 'v' },
      })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: 'INVALID_CONTACT',
      message: 'Check your contact details.',
      details: body.error.details,
    });
  });

  it('reports a network failure in plain words', async () => {
    const api = new ScreenerApi('', (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch);

    await expect(api.getScreener('lower-back-pain')).rejects.toMatchObject({ code: 'NETWORK', status: 0 });
  });
});
