/**
 * Starts the real local stack for the benchmarks (`tsx local/start.ts`: API, DynamoDB Local, SES
 * emulator, stream poller) on free ports with a throw-away data folder, exactly as `npm start`
 * runs it, and stops it (with the Java child it leads) afterwards.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../local/dynamodb-local';

export interface BenchStack {
  baseUrl: string;
  /** The SES emulator: `GET <sesUrl>/store` lists every email it caught. */
  sesUrl: string;
  /** DynamoDB Local of the stack, for the write-unit measurement on a table of its own. */
  dynamoDbEndpoint: string;
  stop(): Promise<void>;
}

export async function startBenchStack(repositoryRoot: string, readyTimeoutMs = 120_000): Promise<BenchStack> {
  const [port, dynamoDbPort, sesPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const dataDir = await mkdtemp(join(tmpdir(), 'trial-screener-bench-'));
  let output = '';
  const child = spawn(process.execPath, [join(repositoryRoot, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts'], {
    cwd: repositoryRoot,
    env: {
      ...process.env,
      PORT: String(port),
      DYNAMODB_PORT: String(dynamoDbPort),
      SES_PORT: String(sesPort),
      DATA_DIR: dataDir,
      // Request log lines would cost the load test more than the requests themselves.
      POWERTOOLS_LOG_LEVEL: 'WARN',
      // A shell or a jest run may have pointed these elsewhere: the stack starts its own.
      AWS_ENDPOINT_URL_DYNAMODB: '',
      AWS_ENDPOINT_URL_SES: '',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so stopping it also stops DynamoDB Local's Java process.
    detached: true,
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
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
      }, 10_000);
      await exited;
      clearTimeout(forced);
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    if (output.includes('Press Ctrl-C to stop')) {
      return {
        baseUrl: `http://localhost:${port}`,
        sesUrl: `http://127.0.0.1:${sesPort}`,
        dynamoDbEndpoint: `http://127.0.0.1:${dynamoDbPort}`,
        stop,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stop();
  throw new Error(`The local stack did not start:\n${output}`);
}
