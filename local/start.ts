/**
 * `npm start`: the whole product on a laptop with no AWS account. Starts DynamoDB Local (data
 * kept under DATA_DIR), creates the table as the CDK stack does, seeds screeners and the trial
 * catalog from `data/`, and serves the API (the real handlers) and the web form on one origin.
 *
 * Services start in list order and stop in reverse, on Ctrl-C, SIGTERM or a failed start, so no
 * Java process is left behind. To add a service, add an entry to `services` below.
 *
 * Settings (environment): PORT (3000), DYNAMODB_PORT (8000), DATA_DIR (.local),
 * TABLE_NAME (trial-screener-local), SES_PORT (8005; the SES emulator's inbox); SES_ENDPOINT and
 * DYNAMODB_ENDPOINT (loopback only: use a running SES-compatible endpoint or DynamoDB Local, for
 * example behind `local/fault-proxy.ts`, instead of starting one); RECONCILE_INTERVAL_S (30); and the delivery
 * variables of `functions/function-manifest.ts` (see `local/delivery-services.ts` for their local defaults).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readCatalogFiles } from '#adapters/catalog-files';
import { CatalogRepository } from '#adapters/catalog-repository';
import { tableRef } from '#adapters/dynamo';
import { ScreenerRepository } from '#adapters/screener-repository';
import { REPOSITORY_ROOT } from './api-routes';
import { JavaMissingError, isPortInUse, requireJava, startDynamoDbLocal, type RunningDynamoDbLocal } from './dynamodb-local';
import { DEMO_CONFIRMER, withDemoConfirmations } from './demo-confirmations';
import { assertLoopbackEndpoint } from './email-guard';
import { READY_LINE } from './launch';
import { ensureTable } from './local-table';
import { siteRemindersService } from './site-reminders';
import { PortInUseError, startHttpAdapter, type RunningHttpAdapter } from './http-adapter';
import { outboxDeliveryService, sesEmulatorService } from './delivery-services';

/** Everything the services share: settings first, then what earlier services started. */
export interface LocalContext {
  port: number;
  dynamoDbPort: number;
  dataDir: string;
  tableName: string;
  /** The origin the form is served from; the only origin CORS allows locally. */
  origin: string;
  dynamoDb?: RunningDynamoDbLocal;
  api?: RunningHttpAdapter;
  /** Lines printed once everything runs ("Form and API: http://..."). */
  urls: string[];
}

export interface LocalService {
  name: string;
  start(context: LocalContext): Promise<void>;
  stop(context: LocalContext): Promise<void>;
}

function portSetting(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${variable} must be a port number (1-65535), not ${JSON.stringify(raw)}`);
  }
  return port;
}

function readSettings(): LocalContext {
  const port = portSetting('PORT', 3000);
  return {
    port,
    dynamoDbPort: portSetting('DYNAMODB_PORT', 8000),
    dataDir: resolve(process.env.DATA_DIR || '.local'),
    tableName: process.env.TABLE_NAME || 'trial-screener-local',
    origin: `http://localhost:${port}`,
    urls: [],
  };
}

/** Points every AWS SDK client of this process at a DynamoDB endpoint, with dummy credentials. */
function useDynamoDbEndpoint(endpoint: string): void {
  // Everything after this (repositories, handlers, the stream poller) reaches it through the
  // SDK's own endpoint variable, exactly as in tests. Credentials are dummies: local only.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = endpoint;
  process.env.AWS_REGION ||= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}

const dynamoDbService: LocalService = {
  name: 'DynamoDB Local',
  async start(context) {
    // DYNAMODB_ENDPOINT: a DynamoDB Local already running (or a proxy in front of one) on this
    // machine; nothing is started, and its data stays where that process keeps it.
    const given = process.env.DYNAMODB_ENDPOINT;
    if (given) {
      assertLoopbackEndpoint(given, 'DynamoDB');
      useDynamoDbEndpoint(given);
      context.urls.push(`DynamoDB:         ${given} (DYNAMODB_ENDPOINT)`);
      return;
    }
    requireJava();
    if (await isPortInUse(context.dynamoDbPort)) throw new PortInUseError(context.dynamoDbPort, 'DYNAMODB_PORT');
    await mkdir(context.dataDir, { recursive: true });
    context.dynamoDb = await startDynamoDbLocal({ port: context.dynamoDbPort, dataDir: context.dataDir });
    useDynamoDbEndpoint(context.dynamoDb.endpoint);
    context.urls.push(`DynamoDB Local:   ${context.dynamoDb.endpoint} (data in ${context.dataDir})`);
  },
  async stop(context) {
    await context.dynamoDb?.stop();
  },
};

const tableService: LocalService = {
  name: 'table and seed data',
  async start(context) {
    const dynamo = new DynamoDBClient({});
    try {
      const changes = await ensureTable(dynamo, context.tableName);
      if (changes.created) console.log(`Created table ${context.tableName}.`);
      for (const name of changes.addedIndexes) console.log(`Added index ${name} to table ${context.tableName}.`);
      for (const name of changes.removedIndexes)
        console.log(`Removed index ${name} (no longer used) from table ${context.tableName}.`);
    } finally {
      dynamo.destroy();
    }
    const table = tableRef(context.tableName);
    const files = await readCatalogFiles(resolve(REPOSITORY_ROOT, 'data'));
    const { screeners } = files;
    const { trials, catalogVersion, confirmed } = withDemoConfirmations(files.trials, files.catalogVersion);
    const screenerRepository = new ScreenerRepository(table);
    for (const screener of screeners) await screenerRepository.putScreener(screener);
    const catalogs = new CatalogRepository(table);
    const current = await catalogs.readPointer();
    if (current?.version !== catalogVersion) await catalogs.writeCatalog(catalogVersion, trials);
    console.log(`Seeded ${screeners.length} screener(s) and catalog ${catalogVersion} (${trials.length} trials).`);
    if (confirmed > 0) {
      console.log(
        `Demo: ${confirmed} recruiting trial(s) marked as confirmed by "${DEMO_CONFIRMER}" so the journey reaches the inbox; ` +
          'their registry records are years old and results say so (DEMO_CONFIRMATIONS=false to see them as they are).',
      );
    }
  },
  async stop() {},
};

const apiService: LocalService = {
  name: 'API and web form',
  async start(context) {
    // The handlers read their configuration when first imported, which happens on first request.
    process.env.TABLE_NAME = context.tableName;
    process.env.ALLOWED_ORIGINS = context.origin;
    process.env.POWERTOOLS_LOG_LEVEL ||= 'INFO';
    context.api = await startHttpAdapter({
      port: context.port,
      allowedOrigins: [context.origin],
      webRoot: resolve(REPOSITORY_ROOT, 'web/dist'),
    });
    context.urls.unshift(`Form and API:     ${context.api.url}`);
  },
  async stop(context) {
    await context.api?.stop();
  },
};

/** The services, in start order (they stop in reverse). */
export const services: LocalService[] = [
  dynamoDbService,
  tableService,
  sesEmulatorService,
  outboxDeliveryService,
  siteRemindersService,
  apiService,
];

async function main(): Promise<void> {
  const context = readSettings();
  if (await isPortInUse(context.port)) throw new PortInUseError(context.port, 'PORT');
  if (!process.env.DYNAMODB_ENDPOINT) requireJava();

  const started: LocalService[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const service of [...started].reverse()) {
        try {
          await service.stop(context);
        } catch (error) {
          console.error(`Could not stop ${service.name}: ${(error as Error).message}`);
        }
      }
    })();
    return stopping;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      console.log(`\nStopping (${signal})...`);
      void stopAll().then(() => process.exit(0));
    });
  }

  try {
    for (const service of services) {
      if (stopping) return;
      await service.start(context);
      started.push(service);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  console.log(['', 'trial-screener is running locally:', ...context.urls.map((line) => `  ${line}`), '', READY_LINE].join('\n'));
}

main().catch((error: unknown) => {
  const known = error instanceof JavaMissingError || error instanceof PortInUseError;
  console.error(known ? `\n${(error as Error).message}\n` : error);
  process.exit(1);
});
