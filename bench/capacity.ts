/**
 * Benchmark 5 (measurements for the cost model): DynamoDB capacity units, handler durations and
 * emails per screening and per referral, measured on the real handler code.
 *
 * The handlers run in this process against a table of their own on the local stack's DynamoDB
 * Local (`POST /screenings` and `POST /screenings/{id}/referrals` through the manifest's routes,
 * exactly as the local runtime invokes them; each lead and confirmation through the delivery
 * service `deliver-leads` builds). No repository code changes: the shared document client every
 * repository uses gets one SDK middleware that asks each call for `ReturnConsumedCapacity:
 * 'INDEXES'` and adds up what DynamoDB reports, table and outbox index alike.
 *
 * Standard (single-item) writes and reads are billed as DynamoDB Local reports them: it follows
 * AWS's rules there (per item, per 1 KB, on the larger image; each index entry by its projection,
 * two writes when an index key moves). A `TransactWriteItems` is not: Local doubles its index
 * arms too, rounds its table arm on the summed size and does not size condition checks, so each
 * transaction is re-measured action by action by `TransactionBilling` (`bench/billing.ts`) and
 * billed as AWS bills it (table x2, indexes x1; rules and sources in `bench/cost.ts`). What Local
 * itself reported is kept beside it (`localTransactionalWrite`).
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, type ConsumedCapacity } from '@aws-sdk/client-dynamodb';
import { type ActionBill, billedUnits, TransactionBilling, unitsByIndex, unitsOf } from './billing';
import { DynamoDBDocumentClient, GetCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Answers } from '#core/model';
import { median } from './stats';

export interface CapacityOptions {
  repositoryRoot: string;
  dynamoDbEndpoint: string;
  sesUrl: string;
  answers: Answers;
  screenings: number;
  referrals: number;
}

/** Capacity units one request consumed, billed as AWS bills them (see the module comment). */
export interface Units {
  /** Billed write request units of standard (single-item) writes. */
  write: number;
  /** Billed write request units of TransactWriteItems (table arm x2, index arms x1). */
  transactionalWrite: number;
  /** What DynamoDB Local reported for those transactions (not the bill: see `bench/billing.ts`). */
  localTransactionalWrite: number;
  /** Billed write units by where they were written: `table` and each index by name. */
  writesByIndex: Record<string, number>;
  /** Reads (strongly consistent reads report 1 unit per 4 KB, as billed). */
  read: number;
  /** DynamoDB calls made. */
  calls: number;
  /** The items of the request's transaction with what each cost (one sample's). */
  transactionItems?: ActionBill[];
}

export interface CapacityReport {
  /** Median per request of each kind. `GET /screeners/{id}` is what the form loads first. */
  screenerLoad: Units & { durationMs: number; memoryMb: number };
  screening: Units & { durationMs: number; memoryMb: number };
  referral: Units & { durationMs: number; memoryMb: number; leads: number };
  /** Per outbox message (a site lead or the patient's confirmation). */
  delivery: Units & { durationMs: number; memoryMb: number; messagesPerReferral: number; emailsPerReferral: number };
  samples: { screenings: number; referrals: number };
}

const READ_COMMANDS = /^(Get|BatchGet|TransactGet|Query|Scan)/;

interface Meter {
  current: Units;
  reset(): void;
}

function emptyUnits(): Units {
  return { write: 0, transactionalWrite: 0, localTransactionalWrite: 0, writesByIndex: {}, read: 0, calls: 0 };
}

function addTo(target: Record<string, number>, units: Record<string, number>): void {
  for (const [name, value] of Object.entries(units)) target[name] = (target[name] ?? 0) + value;
}

function medianUnits(samples: readonly Units[]): Units {
  const indexes = [...new Set(samples.flatMap((s) => Object.keys(s.writesByIndex)))].sort();
  const items = samples.find((s) => s.transactionItems)?.transactionItems;
  return {
    write: median(samples.map((s) => s.write)),
    transactionalWrite: median(samples.map((s) => s.transactionalWrite)),
    localTransactionalWrite: median(samples.map((s) => s.localTransactionalWrite)),
    writesByIndex: Object.fromEntries(indexes.map((name) => [name, median(samples.map((s) => s.writesByIndex[name] ?? 0))])),
    read: median(samples.map((s) => s.read)),
    calls: median(samples.map((s) => s.calls)),
    ...(items ? { transactionItems: items } : {}),
  };
}

export async function runCapacityBenchmark(options: CapacityOptions): Promise<CapacityReport> {
  const tableName = `bench-capacity-${randomUUID()}`;
  // The handlers read their configuration when first imported, as at a Lambda cold start.
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: options.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SES: options.sesUrl,
    TABLE_NAME: tableName,
    ALLOWED_ORIGINS: 'http://localhost:3000',
    SENDER_EMAIL: 'leads@trial-screener.local',
    SES_CONFIGURATION_SET: 'trial-screener-bench',
    PUBLIC_APP_URL: 'http://localhost:3000/',
    // Only the emulator receives these (the endpoint above is the stack's own).
    CATALOG_CONTACTS_APPROVED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;

  const { createTableInput } = await import('#functions/table-schema');
  const admin = new DynamoDBClient({});
  await admin.send(new CreateTableCommand(createTableInput(tableName)));
  let stopBilling: (() => Promise<void>) | undefined;
  let unmeter: (() => void) | undefined;
  try {
    const { documentClient, tableRef } = await import('#adapters/dynamo');
    const { readCatalogFiles } = await import('#adapters/catalog-files');
    const { ScreenerRepository } = await import('#adapters/screener-repository');
    const { CatalogRepository } = await import('#adapters/catalog-repository');
    const { FUNCTIONS } = await import('#functions/function-manifest');
    const { apiRoutes, invokeRoute, matchRoute } = await import('#local/api-routes');
    const { loadConfig } = await import('#adapters/config');
    const { createOutboxDelivery } = await import('#adapters/outbox-delivery');

    const catalog = await readCatalogFiles(resolve(options.repositoryRoot, 'data'));
    const table = tableRef(tableName);
    for (const screener of catalog.screeners) await new ScreenerRepository(table).putScreener(screener);
    // As `npm start` does: the shipped records are too old to take referrals without a (demo) confirmation.
    const { withDemoConfirmations } = await import('#local/demo-confirmations');
    const demo = withDemoConfirmations(catalog.trials, catalog.catalogVersion);
    await new CatalogRepository(table).writeCatalog(demo.catalogVersion, demo.trials);

    // Every repository sends through this one client: meter what each call consumed.
    const meter: Meter = {
      current: emptyUnits(),
      reset() {
        this.current = emptyUnits();
      },
    };
    const billing = new TransactionBilling();
    await billing.start();
    stopBilling = () => billing.stop();
    documentClient().middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as {
          ReturnConsumedCapacity?: string;
          TransactItems?: TransactWriteCommandInput['TransactItems'];
        };
        input.ReturnConsumedCapacity = 'INDEXES';
        const command = context.commandName ?? '';
        const transaction = command.startsWith('TransactWrite') ? (input.TransactItems ?? []) : undefined;
        const before = transaction ? await billing.imagesBefore(transaction) : [];
        const result = await next(args);
        const capacity = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity;
        meter.current.calls += 1;
        if (READ_COMMANDS.test(command)) meter.current.read += unitsOf(capacity);
        else if (transaction) {
          const bills = await billing.bill(transaction, before);
          meter.current.transactionalWrite += billedUnits(bills);
          meter.current.localTransactionalWrite += unitsOf(capacity);
          for (const bill of bills) addTo(meter.current.writesByIndex, { table: bill.table, ...bill.indexes });
          meter.current.transactionItems = [...(meter.current.transactionItems ?? []), ...bills];
        } else {
          meter.current.write += unitsOf(capacity);
          addTo(meter.current.writesByIndex, unitsByIndex(capacity));
        }
        return result;
      },
      { step: 'initialize', name: 'benchConsumedCapacity' },
    );
    unmeter = () => documentClient().middlewareStack.remove('benchConsumedCapacity');

    const routes = apiRoutes();
    const call = async (method: string, path: string, body: unknown | undefined, headers: Record<string, string> = {}) => {
      const match = matchRoute(routes, method, path);
      if (match.kind !== 'route') throw new Error(`No route for ${method} ${path}`);
      meter.reset();
      const started = performance.now();
      const response = await invokeRoute(match.route, {
        method,
        path,
        pathParameters: match.pathParameters,
        headers: { 'content-type': 'application/json', origin: 'http://localhost:3000', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const durationMs = performance.now() - started;
      if (response.statusCode >= 300) throw new Error(`${method} ${path}: HTTP ${response.statusCode} ${response.body}`);
      return { body: JSON.parse(response.body) as Record<string, any>, durationMs, units: { ...meter.current } };
    };
    const screen = () =>
      call(
        'POST',
        '/screenings',
        { screenerId: 'lower-back-pain', answers: options.answers },
        { 'idempotency-key': randomUUID() },
      );

    // Cold start and catalog preparation happen once per container: not per screening.
    await screen();
    await call('GET', '/screeners/lower-back-pain', undefined);
    const screenerLoads: { units: Units; durationMs: number }[] = [];
    for (let i = 0; i < options.screenings; i++) screenerLoads.push(await call('GET', '/screeners/lower-back-pain', undefined));
    const screenings: { units: Units; durationMs: number; body: Record<string, any> }[] = [];
    for (let i = 0; i < Math.max(options.screenings, options.referrals); i++) screenings.push(await screen());

    const consentVersion = catalog.screeners.find((screener) => screener.id === 'lower-back-pain')!.consent.version;
    const delivery = createOutboxDelivery(loadConfig('deliver-leads'));
    const referrals: { units: Units; durationMs: number; leads: number }[] = [];
    const deliveries: { units: Units; durationMs: number }[] = [];
    const emailsBefore = await emailCount(options.sesUrl);
    let messages = 0;
    for (let i = 0; i < options.referrals; i++) {
      const { body: screening } = screenings[i]!;
      const trialIds = (
        screening.results as { trialId: string; eligibility: string; nearestSite: { acceptsReferrals: boolean } | null }[]
      )
        .filter((result) => result.eligibility !== 'ineligible' && result.nearestSite?.acceptsReferrals)
        .map((result) => result.trialId);
      if (trialIds.length === 0) throw new Error('The benchmark patient has no trial that accepts referrals');
      const referral = await call(
        'POST',
        `/screenings/${screening.screeningId}/referrals`,
        {
          trialIds,
          contact: { name: `Capacity Patient ${i}`, email: `capacity-${i}@example.org` },
          consent: { shareWithSites: true, phoneContact: false, textVersion: consentVersion },
        },
        { authorization: `Bearer ${screening.token}` },
      );
      const leads = referral.body.leads as { leadId: string }[];
      referrals.push({ units: referral.units, durationMs: referral.durationMs, leads: leads.length });

      // What the stream delivers for this referral: each lead, then the patient's confirmation.
      const refs = [
        ...leads.map((lead) => ({ kind: 'LEAD' as const, id: lead.leadId })),
        ...(await confirmationOf(tableName, screening.screeningId as string)),
      ];
      for (const ref of refs) {
        meter.reset();
        const started = performance.now();
        const outcome = await delivery.deliver(ref);
        const durationMs = performance.now() - started;
        if (outcome.outcome !== 'sent') throw new Error(`Delivery of a ${ref.kind} ended ${outcome.outcome}`);
        deliveries.push({ units: { ...meter.current }, durationMs });
        messages += 1;
      }
    }
    const emails = (await emailCount(options.sesUrl)) - emailsBefore;
    const memoryOf = (name: string) =>
      (FUNCTIONS as readonly { name: string; memoryMb: number }[]).find((f) => f.name === name)!.memoryMb;

    return {
      screenerLoad: {
        ...medianUnits(screenerLoads.map((s) => s.units)),
        durationMs: median(screenerLoads.map((s) => s.durationMs)),
        memoryMb: memoryOf('get-screener'),
      },
      screening: {
        ...medianUnits(screenings.map((s) => s.units)),
        durationMs: median(screenings.map((s) => s.durationMs)),
        memoryMb: memoryOf('submit-screening'),
      },
      referral: {
        ...medianUnits(referrals.map((r) => r.units)),
        durationMs: median(referrals.map((r) => r.durationMs)),
        memoryMb: memoryOf('create-referral'),
        leads: median(referrals.map((r) => r.leads)),
      },
      delivery: {
        ...medianUnits(deliveries.map((d) => d.units)),
        durationMs: median(deliveries.map((d) => d.durationMs)),
        memoryMb: memoryOf('deliver-leads'),
        messagesPerReferral: messages / options.referrals,
        emailsPerReferral: emails / options.referrals,
      },
      samples: { screenings: screenings.length, referrals: referrals.length },
    };
  } finally {
    // The shared client outlives this section (the audit writes through it next): it must stop metering.
    unmeter?.();
    await stopBilling?.();
    await admin.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
    admin.destroy();
  }
}

/**
 * The confirmation written with a screening's referral (its id is on the screening's referral record), read
 * with a client of its own so the read is not metered as part of any request.
 */
async function confirmationOf(tableName: string, screeningId: string): Promise<{ kind: 'CONFIRMATION'; id: string }[]> {
  const { itemKeys } = await import('#functions/table-schema');
  const reader = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const result = await reader.send(
      new GetCommand({ TableName: tableName, Key: itemKeys.screening(screeningId), ConsistentRead: true }),
    );
    const id = result.Item?.referral?.confirmationId as string | undefined;
    return id ? [{ kind: 'CONFIRMATION', id }] : [];
  } finally {
    reader.destroy();
  }
}

async function emailCount(sesUrl: string): Promise<number> {
  const response = await fetch(`${sesUrl}/store`);
  const store = (await response.json()) as { emails: unknown[] };
  return store.emails.length;
}
