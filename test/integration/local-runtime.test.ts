/**
 * Starts `tsx local/start.ts` as `npm start` does (free ports, a throw-away data folder) and talks
 * to it over HTTP, then stops it and checks that DynamoDB Local went with it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../local/dynamodb-local';
import { REPOSITORY_ROOT } from '../../local/api-routes';

const START_TIMEOUT_MS = 120_000;

interface RunningStack {
  child: ChildProcess;
  baseUrl: string;
  dynamoDbPort: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function startStack(env: Record<string, string>): Promise<RunningStack> {
  const [port, dynamoDbPort, sesPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  let output = '';
  const child = spawn(process.execPath, [join(REPOSITORY_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoDbPort),
      SES_PORT: String(sesPort),
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ENDPOINT_URL_SES: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, baseUrl: `http://localhost:${port}`, dynamoDbPort, output: () => output, exited };
}

async function waitUntilServing(stack: RunningStack): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && stack.child.exitCode === null) {
    if (stack.output().includes('Press Ctrl-C to stop')) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`The local runtime did not start:\n${stack.output()}`);
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

describe('the local runtime (npm start)', () => {
  let dataDir: string;
  let stack: RunningStack;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'trial-screener-local-'));
    stack = await startStack({ DATA_DIR: dataDir });
    await waitUntilServing(stack);
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (stack.child.exitCode === null) {
      stack.child.kill('SIGKILL');
      await stack.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves GET /screeners from the seeded table over HTTP', async () => {
    const response = await fetch(`${stack.baseUrl}/screeners`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      screeners: [expect.objectContaining({ id: 'lower-back-pain', condition: 'Lower back pain' })],
    });
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
    const busy = await startStack({ DATA_DIR: dataDir, PORT: new URL(stack.baseUrl).port });

    const code = await busy.exited;

    expect(code).not.toBe(0);
    expect(busy.output()).toContain(`Port ${new URL(stack.baseUrl).port} is already in use`);
    expect(busy.output()).toContain('PORT=');
  });

  it('stops DynamoDB Local with it on SIGTERM', async () => {
    stack.child.kill('SIGTERM');

    const code = await stack.exited;

    expect(code).toBe(0);
    expect(await answers(`http://127.0.0.1:${stack.dynamoDbPort}`)).toBe(false);
  });
});
