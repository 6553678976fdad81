/**
 * The local SES: `aws-ses-v2-local` captures every email sent to it (nothing leaves the machine)
 * and shows them on an inbox page. The local runtime points the SES client at it through
 * `AWS_ENDPOINT_URL_SES`; `email-guard.ts` refuses any SES endpoint that is not on this machine.
 */
import type { Server } from 'node:http';
import * as sesEmulatorModule from 'aws-ses-v2-local';

export const DEFAULT_SES_PORT = 8005;

export interface RunningSesEmulator {
  /** What `AWS_ENDPOINT_URL_SES` must be set to. */
  endpoint: string;
  /** The inbox page to open in a browser. */
  inboxUrl: string;
  port: number;
  stop(): Promise<void>;
}

type StartEmulator = (config?: Partial<{ host: string; port: number }>) => Promise<Server>;

// The package is CommonJS with `exports.default`; depending on the loader (tsx, jest, esbuild)
// the default import is either the function or the module object that holds it.
function emulatorFactory(): StartEmulator {
  const candidate = (sesEmulatorModule as { default?: unknown }).default;
  if (typeof candidate === 'function') return candidate as StartEmulator;
  const nested = (candidate as { default?: unknown } | undefined)?.default;
  if (typeof nested === 'function') return nested as StartEmulator;
  throw new Error('aws-ses-v2-local did not export its server function');
}

/** Starts the emulator on the loopback interface only. */
export async function startSesEmulator(options: { port?: number; host?: string } = {}): Promise<RunningSesEmulator> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? DEFAULT_SES_PORT;
  const server = await emulatorFactory()({ host, port });
  const endpoint = `http://${host}:${port}`;
  return {
    endpoint,
    inboxUrl: `${endpoint}/`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One email as the emulator stored it (`GET /store`). */
export interface EmulatedEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Every email the emulator at `endpoint` has received. */
export async function fetchEmulatorInbox(endpoint: string): Promise<EmulatedEmail[]> {
  const response = await fetch(new URL('/store', endpoint));
  if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /store`);
  const store = (await response.json()) as { emails?: EmulatedEmail[] };
  return store.emails ?? [];
}
