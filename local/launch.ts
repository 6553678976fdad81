/**
 * Runs the whole local stack (`tsx local/start.ts`, exactly what `npm start` runs: API and form,
 * DynamoDB Local, SES emulator, stream poller) as a child process on free ports with a throw-away
 * data folder, for the benchmarks, the browser tests, the screenshot script and the local-runtime
 * test, and stops it again without leaving DynamoDB Local's Java process behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './api-routes';
import { findFreePort } from './dynamodb-local';

/** The last line `local/start.ts` prints, once every service runs. */
export const READY_LINE = 'Press Ctrl-C to stop.';

export interface LaunchOptions {
  /** Port of the API and form (`PORT`); a free one when omitted. */
  port?: number;
  /** DynamoDB Local's folder (`DATA_DIR`), left in place on stop; a fresh temp folder, removed on stop, when omitted. */
  dataDir?: string;
  /** Further settings for the stack, e.g. `POWERTOOLS_LOG_LEVEL`. */
  env?: Record<string, string>;
  /** How long `launchLocalStack` waits for the ready line, in milliseconds. */
  readyTimeoutMs?: number;
  /** Grace between SIGTERM and SIGKILL when stopping, in milliseconds. */
  stopGraceMs?: number;
}

export interface LocalStack {
  /** Where the form and the API are served (same origin). */
  baseUrl: string;
  /** The SES emulator: its inbox page, and `GET <sesUrl>/store` for the emails as JSON. */
  sesUrl: string;
  /** The stack's DynamoDB Local. */
  dynamoDbEndpoint: string;
  dataDir: string;
  /** The `tsx local/start.ts` process, which leads its own process group. */
  process: ChildProcess;
  /** Resolves with the exit code once the stack's process has exited. */
  exited: Promise<number | null>;
  /** Everything the stack printed so far, for a failure message. */
  output(): string;
  /** Stops the whole process group (SIGTERM, then SIGKILL after the grace) and removes a temp data folder. */
  stop(): Promise<void>;
}

/** Spawns the stack and returns at once, before it is ready (or has failed): see `launchLocalStack`. */
export async function spawnLocalStack(options: LaunchOptions = {}): Promise<LocalStack> {
  const [port, dynamoDbPort, sesPort] = [options.port ?? (await findFreePort()), await findFreePort(), await findFreePort()];
  const ownDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'trial-screener-local-')));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DYNAMODB_PORT: String(dynamoDbPort),
    SES_PORT: String(sesPort),
    DATA_DIR: dataDir,
    ...options.env,
  };
  // A shell or a jest run may point these at its own services: the stack starts and uses its own.
  delete env.AWS_ENDPOINT_URL_DYNAMODB;
  delete env.AWS_ENDPOINT_URL_SES;

  let output = '';
  const child = spawn(process.execPath, [join(REPOSITORY_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'local/start.ts'], {
    cwd: REPOSITORY_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so that stopping it also stops DynamoDB Local's Java process.
    detached: true,
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      signalGroup('SIGTERM');
      const forced = setTimeout(() => signalGroup('SIGKILL'), options.stopGraceMs ?? 10_000);
      await exited;
      clearTimeout(forced);
    }
    if (ownDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  return {
    baseUrl: `http://localhost:${port}`,
    sesUrl: `http://127.0.0.1:${sesPort}`,
    dynamoDbEndpoint: `http://127.0.0.1:${dynamoDbPort}`,
    dataDir,
    process: child,
    exited,
    output: () => output,
    stop,
  };
}

/**
 * Spawns the stack and resolves once it has printed its ready line (every service runs). If it
 * exits or times out first, stops it and throws with everything it printed.
 */
export async function launchLocalStack(options: LaunchOptions = {}): Promise<LocalStack> {
  const stack = await spawnLocalStack(options);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  while (Date.now() < deadline && stack.process.exitCode === null) {
    if (stack.output().includes(READY_LINE)) return stack;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stack.stop();
  throw new Error(`The local stack did not start:\n${stack.output()}`);
}
