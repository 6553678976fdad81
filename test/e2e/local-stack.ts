/**
 * Starts the real local stack (`tsx local/start.ts`: API, web form, DynamoDB Local, SES emulator,
 * stream poller) on free ports with a throw-away data directory, for the browser tests and the
 * screenshot script, and stops it afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface LocalStack {
  /** Where the form and the API are served (same origin). */
  baseUrl: string;
  /** The SES emulator: its inbox page, and `GET <sesUrl>/store` for the emails as JSON. */
  sesUrl: string;
  /** Everything the stack printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the stack and resolves once the API answers. The web form must already be built
 * (`npm run build:web`, which `npm test` and `npm start` run first). With `E2E_BASE_URL` (and
 * optionally `E2E_SES_URL`) set, uses that running stack instead and leaves it running.
 */
export async function startLocalStack(options: { readyTimeoutMs?: number } = {}): Promise<LocalStack> {
  // Against a stack that is already running (`npm start`), e.g. while working on the form.
  const external = process.env.E2E_BASE_URL;
  if (external) {
    const sesUrl = process.env.E2E_SES_URL ?? 'http://localhost:8005';
    return { baseUrl: external.replace(/\/+$/, ''), sesUrl, output: () => '', stop: async () => {} };
  }
  const [port, dynamoDbPort, sesPort] = [await freePort(), await freePort(), await freePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'trial-screener-e2e-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(REPOSITORY_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoDbPort),
      SES_PORT: String(sesPort),
      DATA_DIR: dataDir,
      // The jest run's shared services must not leak into the stack: it starts its own.
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      AWS_ENDPOINT_URL_SES: undefined,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      // The stack runs Java (DynamoDB Local) as a child: signal the whole process group it leads.
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const forced = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5000);
      await exited;
      clearTimeout(forced);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const baseUrl = `http://localhost:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${baseUrl}/screeners`);
      if (response.ok) return { baseUrl, sesUrl: `http://localhost:${sesPort}`, output: () => output, stop };
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`The local stack did not start.\n${output}`);
}
