/**
 * A fault-injecting TCP proxy for the local stack, for the fault tests and for anyone who wants to
 * see delivery survive an outage: put it in front of the SES emulator (or DynamoDB Local) and point
 * `npm start` at it with `SES_ENDPOINT` (or `DYNAMODB_ENDPOINT`).
 *
 * Modes: `pass` forwards bytes both ways; `drop` destroys every open connection and each new one
 * at once (the peer sees a reset: a network outage); `refuse-unverified` answers every request as
 * SES does for an unverified identity in the sandbox (HTTP 400 `MessageRejected`, "Email address is
 * not verified"), which delivery must hold and retry, never fail.
 *
 * As a command (loopback only):
 *   npm run fault-proxy -- --emulator-port 8005 --port 8006 --drop-after 20 --drop-for 30
 *   SES_ENDPOINT=http://127.0.0.1:8006 RECONCILE_INTERVAL_S=5 npm start
 * and type `drop 30`, `refuse 60` or `pass` (Enter) to change the mode while it runs.
 */
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export type FaultMode = 'pass' | 'drop' | 'refuse-unverified';

export interface FaultProxyStats {
  connections: number;
  dropped: number;
  refused: number;
}

export interface RunningFaultProxy {
  /** `http://127.0.0.1:<port>`: what SES_ENDPOINT or DYNAMODB_ENDPOINT is set to. */
  url: string;
  port: number;
  readonly mode: FaultMode;
  readonly stats: FaultProxyStats;
  setMode(mode: FaultMode): void;
  /** `mode` now, `pass` again after `ms`. */
  faultFor(mode: Exclude<FaultMode, 'pass'>, ms: number): void;
  stop(): Promise<void>;
}

export interface FaultProxyOptions {
  /** Where `pass` forwards to, e.g. `http://127.0.0.1:8005`. */
  target: string;
  port?: number;
  host?: string;
  mode?: FaultMode;
}

/** SES's own answer (query protocol) to a send from or to an identity that is not verified. */
function sesNotVerifiedResponse(): string {
  return [
    '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/">',
    '  <Error>',
    '    <Type>Sender</Type>',
    '    <Code>MessageRejected</Code>',
    '    <Message>Email address is not verified. The following identities failed the check in region US-EAST-1: leads@trial-screener.local</Message>',
    '  </Error>',
    `  <RequestId>${randomUUID()}</RequestId>`,
    '</ErrorResponse>',
  ].join('\n');
}

/** Starts the proxy on loopback; resolves once it listens. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<RunningFaultProxy> {
  const target = new URL(options.target);
  const targetPort = Number(target.port || (target.protocol === 'https:' ? 443 : 80));
  const open = new Set<Socket>();
  const refusing = new Set<Socket>();
  const stats: FaultProxyStats = { connections: 0, dropped: 0, refused: 0 };
  let mode: FaultMode = options.mode ?? 'pass';
  let restore: NodeJS.Timeout | undefined;

  // Refusals are HTTP answers on the raw connection: an HTTP server that never listens is handed it.
  const refuser = createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      stats.refused += 1;
      // One answer per connection: a kept-alive connection must not keep refusing after the fault.
      response.writeHead(400, { 'Content-Type': 'text/xml', Connection: 'close' });
      response.end(sesNotVerifiedResponse());
    });
  });

  const server: Server = createServer((client) => {
    stats.connections += 1;
    if (mode === 'drop') {
      stats.dropped += 1;
      client.resetAndDestroy();
      return;
    }
    if (mode === 'refuse-unverified') {
      refusing.add(client);
      client.once('close', () => refusing.delete(client));
      refuser.emit('connection', client);
      return;
    }
    const upstream = connect(targetPort, target.hostname);
    open.add(client);
    open.add(upstream);
    const close = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });

  const setMode = (next: FaultMode) => {
    mode = next;
    for (const socket of refusing) socket.destroy();
    refusing.clear();
    if (next !== 'pass') {
      // An outage also breaks the connections already open (keep-alive ones included).
      for (const socket of open) {
        stats.dropped += 1;
        socket.destroy();
      }
      open.clear();
    }
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get mode() {
      return mode;
    },
    stats,
    setMode(next) {
      if (restore) clearTimeout(restore);
      restore = undefined;
      setMode(next);
    },
    faultFor(next, ms) {
      if (restore) clearTimeout(restore);
      setMode(next);
      restore = setTimeout(() => {
        restore = undefined;
        setMode('pass');
      }, ms);
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (restore) clearTimeout(restore);
        for (const socket of [...open, ...refusing]) socket.destroy();
        refuser.close();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      'emulator-port': { type: 'string' },
      port: { type: 'string', default: '8006' },
      'drop-after': { type: 'string' },
      'drop-for': { type: 'string', default: '30' },
    },
  });
  let target = values.target;
  let stopEmulator: (() => Promise<void>) | undefined;
  if (!target && values['emulator-port']) {
    const { startSesEmulator } = await import('./ses-emulator');
    const emulator = await startSesEmulator({ port: Number(values['emulator-port']) });
    stopEmulator = emulator.stop;
    target = emulator.endpoint;
    console.log(`SES emulator: ${emulator.inboxUrl} (inbox)`);
  }
  if (!target) throw new Error('Give --target http://127.0.0.1:<port> or --emulator-port <port> (starts the SES emulator there)');
  const host = new URL(target).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host))
    throw new Error('The fault proxy forwards to loopback addresses only');

  const proxy = await startFaultProxy({ target, port: Number(values.port) });
  const log = (line: string) => console.log(`${new Date().toISOString()} ${line}`);
  log(`fault proxy ${proxy.url} -> ${target} (mode pass); type "drop <s>", "refuse <s>" or "pass"`);
  if (values['drop-after'] !== undefined) {
    const after = Number(values['drop-after']) * 1000;
    const length = Number(values['drop-for']) * 1000;
    setTimeout(() => {
      log(`dropping every connection for ${length / 1000} s`);
      proxy.faultFor('drop', length);
      setTimeout(() => log(`passing again (dropped ${proxy.stats.dropped} connections so far)`), length);
    }, after);
  }
  const input = createInterface({ input: process.stdin });
  input.on('line', (line) => {
    const [command, seconds] = line.trim().split(/\s+/);
    const ms = Number(seconds ?? '30') * 1000;
    if (command === 'drop') proxy.faultFor('drop', ms);
    else if (command === 'refuse') proxy.faultFor('refuse-unverified', ms);
    else if (command === 'pass') proxy.setMode('pass');
    else return log('commands: drop <s>, refuse <s>, pass');
    log(`mode ${proxy.mode}${command === 'pass' ? '' : ` for ${ms / 1000} s`}`);
  });
  const stop = async () => {
    input.close();
    await proxy.stop();
    await stopEmulator?.();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error((error as Error).message);
    process.exit(1);
  });
}
