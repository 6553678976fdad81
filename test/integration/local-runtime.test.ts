/**
 * Starts `tsx local/start.ts` as `npm start` does (free ports, a throw-away data folder) and talks
 * to it over HTTP, then stops it and checks that DynamoDB Local went with it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { contentSecurityPolicy } from '#functions/contract/http';
import { answersHttp } from '#local/dynamodb-local';
import { launchLocalStack, spawnLocalStack, type LocalStack } from '#local/launch';

const START_TIMEOUT_MS = 120_000;

describe('the local runtime (npm start)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await launchLocalStack({ readyTimeoutMs: START_TIMEOUT_MS });
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it('serves GET /screeners from the seeded table over HTTP', async () => {
    const response = await fetch(`${stack.baseUrl}/screeners`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      screeners: [expect.objectContaining({ id: 'lower-back-pain', condition: 'Lower back pain' })],
    });
  });

  it("serves the form's config.json as the deploy does, naming the API's own origin", async () => {
    const response = await fetch(`${stack.baseUrl}/config.json`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ apiBaseUrl: '' });
  });

  it('serves the OpenAPI document of the API at /openapi.json', async () => {
    const response = await fetch(`${stack.baseUrl}/openapi.json`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(
      expect.objectContaining({ openapi: '3.1.0', paths: expect.objectContaining({ '/screenings': expect.any(Object) }) }),
    );
  });

  it("serves the form with the contract's security headers", async () => {
    const response = await fetch(`${stack.baseUrl}/`);

    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('answers an unknown path with a JSON 404', async () => {
    const response = await fetch(`${stack.baseUrl}/no-such-thing`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('answers a CORS preflight for its own origin', async () => {
    const response = await fetch(`${stack.baseUrl}/screenings`, {
      method: 'OPTIONS',
      headers: { Origin: stack.baseUrl, 'Access-Control-Request-Method': 'POST' },
    });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(stack.baseUrl);
  });

  it('refuses to start on a port already in use, naming the port and the variable', async () => {
    const busy = await spawnLocalStack({ dataDir: stack.dataDir, port: Number(new URL(stack.baseUrl).port) });

    const code = await busy.exited;

    expect(code).not.toBe(0);
    expect(busy.output()).toContain(`Port ${new URL(stack.baseUrl).port} is already in use`);
    expect(busy.output()).toContain('PORT=');
  });

  it('stops DynamoDB Local with it on SIGTERM', async () => {
    // To the stack's own process only (not its group): local/start.ts must stop DynamoDB Local itself.
    stack.process.kill('SIGTERM');

    const code = await stack.exited;

    expect(code).toBe(0);
    expect(await answersHttp(stack.dynamoDbEndpoint)).toBe(false);
  });
});
