/**
 * The local runtime's half of lead delivery: the SES emulator (every email stays on this machine,
 * shown on its inbox page), the stream poller feeding the real `deliver-leads` entry with the
 * manifest's filter and batch settings, and the `reconcile-leads` entry on a timer.
 *
 * Locally the catalog's contacts are approved as recipients (`CATALOG_CONTACTS_APPROVED=true`)
 * only because the emulator captures everything: `assertLoopbackSesEndpoint` refuses to start
 * the delivery service with any SES endpoint that is not on this machine.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { FUNCTIONS, type FunctionSpec, type StreamFunctionSpec } from '#functions/function-manifest';
import { REPOSITORY_ROOT } from './api-routes';
import { isPortInUse } from './dynamodb-local';
import { PortInUseError } from './http-adapter';
import {
  applyLocalDeliveryEnvironment,
  assertLoopbackSesEndpoint,
  reconcileIntervalSeconds,
  type DeliveryServiceContext,
} from './email-guard';
import { DEFAULT_SES_PORT, startSesEmulator, type RunningSesEmulator } from './ses-emulator';
import { startStreamPoller, type InitialPosition, type StreamHandler, type StreamPoller } from './stream-poller';

let emulator: RunningSesEmulator | undefined;
let poller: StreamPoller | undefined;
let reconcileTimer: NodeJS.Timeout | undefined;
let reconciling: Promise<unknown> | undefined;

function sesPort(): number {
  const raw = process.env.SES_PORT;
  if (raw === undefined || raw === '') return DEFAULT_SES_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`SES_PORT must be a port number, not ${JSON.stringify(raw)}`);
  return port;
}

/**
 * Starts `aws-ses-v2-local` on SES_PORT (8005) and points the SES SDK at it; or, with
 * `SES_ENDPOINT` set (loopback only: an emulator already running, or a fault-injecting proxy in
 * front of one, see `local/fault-proxy.ts`), uses that endpoint instead and starts nothing.
 */
export const sesEmulatorService = {
  name: 'SES emulator',
  async start(context: DeliveryServiceContext): Promise<void> {
    const given = process.env.SES_ENDPOINT;
    if (given) {
      assertLoopbackSesEndpoint(given);
      process.env.AWS_ENDPOINT_URL_SES = given;
      context.urls.push(`Email:            ${given} (SES_ENDPOINT; its inbox, if it has one, is its own)`);
      return;
    }
    const port = sesPort();
    if (await isPortInUse(port)) throw new PortInUseError(port, 'SES_PORT');
    emulator = await startSesEmulator({ port });
    // Always the emulator, whatever the shell had: a local run never reaches the real SES.
    process.env.AWS_ENDPOINT_URL_SES = emulator.endpoint;
    context.urls.push(`Email inbox:      ${emulator.inboxUrl} (every email sent locally lands here)`);
  },
  async stop(): Promise<void> {
    await emulator?.stop();
    emulator = undefined;
  },
};

function spec(name: string): FunctionSpec {
  const found = (FUNCTIONS as readonly FunctionSpec[]).find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${name} is not in functions/function-manifest.ts`);
  return found;
}

async function importHandler<T>(functionSpec: FunctionSpec): Promise<T> {
  const module = (await import(pathToFileURL(resolve(REPOSITORY_ROOT, functionSpec.entry)).href)) as { handler?: T };
  if (!module.handler) throw new Error(`${functionSpec.entry} exports no handler`);
  return module.handler;
}

/**
 * Starts the stream poller with the real `deliver-leads` handler and the reconciler timer. The
 * first start of a data folder reads the stream from its start (TRIM_HORIZON); later starts
 * from LATEST, and the reconciler delivers whatever was written while nothing was running.
 */
export const outboxDeliveryService = {
  name: 'lead delivery (stream poller and reconciler)',
  async start(context: DeliveryServiceContext): Promise<void> {
    applyLocalDeliveryEnvironment(context);
    const deliverSpec = spec('deliver-leads') as StreamFunctionSpec;
    const reconcileSpec = spec('reconcile-leads');
    const deliver = await importHandler<StreamHandler>(deliverSpec);
    const reconcile =
      await importHandler<(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'>) => Promise<unknown>>(
        reconcileSpec,
      );

    const marker = resolve(context.dataDir, 'stream-poller-started');
    const initialPosition: InitialPosition = existsSync(marker) ? 'LATEST' : 'TRIM_HORIZON';
    poller = await startStreamPoller({ tableName: context.tableName, spec: deliverSpec, handler: deliver, initialPosition });
    await writeFile(marker, `${new Date().toISOString()}\n`);

    const runReconciler = () => {
      if (reconciling) return;
      const deadline = Date.now() + reconcileSpec.timeoutSeconds * 1000;
      reconciling = reconcile({ source: 'local-timer' }, { getRemainingTimeInMillis: () => deadline - Date.now() })
        .catch((error: unknown) => console.error(`Reconciler run failed: ${(error as Error).name}`))
        .finally(() => {
          reconciling = undefined;
        });
    };
    runReconciler();
    // How often the local reconciler runs (RECONCILE_INTERVAL_S, default 30; the deployed one runs
    // on the manifest's schedule). It owns retries, so a short interval makes them prompt.
    const intervalSeconds = reconcileIntervalSeconds();
    reconcileTimer = setInterval(runReconciler, intervalSeconds * 1000);
    context.urls.push(
      `Lead delivery:    stream poller on ${context.tableName} (${initialPosition}), reconciler every ${intervalSeconds} s`,
    );
  },
  async stop(): Promise<void> {
    if (reconcileTimer) clearInterval(reconcileTimer);
    reconcileTimer = undefined;
    await poller?.stop();
    poller = undefined;
    await reconciling;
  },
};
