/**
 * The one source of truth for every Lambda function: its entry file, what invokes it (an API
 * route, the table's stream with its filter, or a schedule), its sizing and the environment
 * variables it reads. The CDK stack (`lib/`) and the local runtime (`local/`) both read this
 * module; a CDK test proves each route and filter here exists in the synthesized template.
 *
 * This file must stay free of imports so that CDK, the local runtime and tests can load it cheaply.
 */

/** Environment variables a function may read; their schema lives in `functions/adapters/config.ts`. */
export type EnvironmentVariable =
  | 'TABLE_NAME'
  | 'ALLOWED_ORIGINS'
  | 'SCREENING_TTL_DAYS'
  | 'REFERRAL_RETENTION_DAYS'
  | 'SENDER_EMAIL'
  | 'SES_CONFIGURATION_SET'
  | 'RECIPIENT_OVERRIDE'
  | 'CATALOG_CONTACTS_APPROVED'
  | 'PUBLIC_APP_URL'
  | 'LEAD_MAX_ATTEMPTS'
  | 'LEAD_STALE_SENDING_SECONDS'
  | 'MAX_RECORD_AGE_DAYS'
  | 'LEAD_DELIVERY_WINDOW_HOURS'
  | 'REGISTRY_API_URL'
  | 'REGISTRY_CONDITIONS'
  | 'REGISTRY_SCREENER_IDS'
  | 'DEPLOYMENT_STAGE'
  | 'LEAD_RETRY_BASE_SECONDS'
  | 'LEAD_RETRY_MAX_SECONDS'
  | 'SITE_EMAIL_MODE'
  | 'SITE_LINK_TTL_DAYS'
  | 'SITE_REMINDER_WORKING_DAYS';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * Files and folders (relative to the repository root) a function reads at run time rather than
 * bundling them as code: data that would otherwise be a large part of a bundle and parsed at every
 * cold start (postal-code coordinates, the phone number metadata of the installed
 * `libphonenumber-js`). The email templates are not among them: they are bundled precompiled
 * (`functions/adapters/email-templates.generated.ts`).
 */
export type RuntimeFile = 'data/postal-points' | 'node_modules/libphonenumber-js/metadata.min.json';

/**
 * A kind of partition of the one table. Its partition-key patterns are in `functions/table-schema.ts`
 * (`PARTITION_KEY_PATTERNS`, which `lib/` checks covers exactly these kinds).
 */
export type TablePartition =
  | 'screeners'
  | 'catalog'
  | 'screening'
  | 'idempotency'
  | 'lead'
  | 'confirmation'
  | 'sitePauses'
  | 'disclosure';

/** The item-level DynamoDB actions a function may be granted (a transaction needs those of its parts). */
export type TableItemAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/**
 * What a function may do in the table: each action it uses, on the partitions it uses it on. The
 * stack grants exactly this, as one IAM statement per action with a `dynamodb:LeadingKeys`
 * condition on those partitions' keys; an action or a partition left out is AccessDenied in AWS.
 */
export interface TableAccess {
  readonly items: { readonly [Action in TableItemAction]?: readonly TablePartition[] };
  /** Secondary indexes it queries (index queries are reads of outbound-message references only). */
  readonly queriesIndexes?: readonly ('outbox' | 'due')[];
}

interface FunctionSpecBase {
  /** Logical name, also the folder under `functions/`. */
  readonly name: string;
  readonly description: string;
  /** Path of the entry file relative to the repository root. */
  readonly entry: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly environment: readonly EnvironmentVariable[];
  /** Its access to the table (see {@link TableAccess}). */
  readonly table: TableAccess;
  /** Whether it sends email through SES. */
  readonly sendsEmail: boolean;
  /**
   * What it reads at run time, copied beside its Lambda bundle at the same relative path
   * (`lib/lambda-function.ts`); the adapter that reads a file looks beside the bundle first, then
   * in the repository.
   */
  readonly runtimeFiles: readonly RuntimeFile[];
}

export interface HttpFunctionSpec extends FunctionSpecBase {
  readonly trigger: {
    readonly kind: 'http';
    readonly method: HttpMethod;
    readonly path: string;
    /**
     * A tighter limit for this route than the stage's (API Gateway method throttling), on top of
     * the firewall's per-IP rate: the site routes take a link token, so guessing must be slow.
     */
    readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  };
}

/**
 * A DynamoDB stream event filter pattern (the EventBridge-style pattern language of Lambda event
 * filtering). Only the subset `{key: [exact values]}` nested in objects is used, so the local
 * poller can apply exactly the same patterns.
 */
export type StreamFilterPattern = { readonly [key: string]: readonly (string | number)[] | StreamFilterPattern };

export interface StreamFunctionSpec extends FunctionSpecBase {
  readonly trigger: {
    readonly kind: 'stream';
    readonly filterPatterns: readonly StreamFilterPattern[];
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly retryAttempts: number;
    readonly maxRecordAgeSeconds: number;
    readonly bisectBatchOnError: boolean;
    readonly parallelizationFactor: number;
  };
}

export interface ScheduleFunctionSpec extends FunctionSpecBase {
  readonly trigger: { readonly kind: 'schedule'; readonly everyMinutes: number };
}

/**
 * The registry sync: scheduled too, but its schedule and search are the operator's (validated CDK
 * context, `lib/registry-sync-construct.ts`), so the manifest names no rate.
 */
export interface RegistrySyncFunctionSpec extends FunctionSpecBase {
  readonly trigger: { readonly kind: 'registry-sync' };
}

/**
 * A consumer of the SES configuration set's delivery events (the encrypted SNS topic the lead
 * delivery construct creates): bounces, complaints and deliveries of every email sent.
 */
export interface EmailEventFunctionSpec extends FunctionSpecBase {
  readonly trigger: { readonly kind: 'email-events' };
}

export type FunctionSpec =
  | HttpFunctionSpec
  | StreamFunctionSpec
  | ScheduleFunctionSpec
  | RegistrySyncFunctionSpec
  | EmailEventFunctionSpec;

const HTTP_ENV: readonly EnvironmentVariable[] = ['TABLE_NAME', 'ALLOWED_ORIGINS'];
const DELIVERY_ENV: readonly EnvironmentVariable[] = [
  'TABLE_NAME',
  'SENDER_EMAIL',
  'SES_CONFIGURATION_SET',
  'RECIPIENT_OVERRIDE',
  'CATALOG_CONTACTS_APPROVED',
  'PUBLIC_APP_URL',
  'LEAD_MAX_ATTEMPTS',
  'LEAD_STALE_SENDING_SECONDS',
  'LEAD_DELIVERY_WINDOW_HOURS',
  'DEPLOYMENT_STAGE',
  'LEAD_RETRY_BASE_SECONDS',
  'LEAD_RETRY_MAX_SECONDS',
  'SITE_EMAIL_MODE',
  'SITE_LINK_TTL_DAYS',
];

/** The site's lead routes: a coordinator opens a lead and records a few outcomes, not hundreds a second. */
const SITE_ROUTE_THROTTLE = { rateLimit: 5, burstLimit: 10 } as const;

/** Only brand-new outbound messages (site leads and patient confirmations) invoke delivery. */
export const NEW_DELIVERY_FILTER: StreamFilterPattern = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { entityType: { S: ['LEAD', 'CONFIRMATION'] } } },
};

export const FUNCTIONS = [
  {
    name: 'get-openapi',
    description: 'Returns the OpenAPI 3.1 document of the API',
    entry: 'functions/get-openapi/index.ts',
    memoryMb: 256,
    timeoutSeconds: 10,
    environment: HTTP_ENV,
    // The document is bundled: no table access at all.
    table: { items: {} },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'GET', path: '/openapi.json' },
  },
  {
    name: 'list-screeners',
    description: 'Lists the screeners patients can take',
    entry: 'functions/list-screeners/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: HTTP_ENV,
    table: { items: { Query: ['screeners'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'GET', path: '/screeners' },
  },
  {
    name: 'get-screener',
    description: 'Returns one screener with its questions, branching rules and consent text',
    entry: 'functions/get-screener/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: HTTP_ENV,
    table: { items: { GetItem: ['screeners'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'GET', path: '/screeners/{screenerId}' },
  },
  {
    name: 'submit-screening',
    description: 'Validates answers, triages red flags, evaluates trials and stores the screening',
    entry: 'functions/submit-screening/index.ts',
    memoryMb: 1024,
    timeoutSeconds: 15,
    environment: [...HTTP_ENV, 'SCREENING_TTL_DAYS', 'MAX_RECORD_AGE_DAYS', 'DEPLOYMENT_STAGE'],
    table: {
      items: {
        GetItem: ['screeners', 'catalog', 'idempotency'],
        Query: ['catalog', 'sitePauses'],
        PutItem: ['screening', 'idempotency'],
        // A request that loses an Idempotency-Key race removes the screening it wrote.
        DeleteItem: ['screening'],
      },
    },
    sendsEmail: false,
    runtimeFiles: ['data/postal-points'],
    trigger: { kind: 'http', method: 'POST', path: '/screenings' },
  },
  {
    name: 'create-referral',
    description: 'Records consent and contact details and writes one pending lead per trial site',
    entry: 'functions/create-referral/index.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    environment: [...HTTP_ENV, 'REFERRAL_RETENTION_DAYS', 'MAX_RECORD_AGE_DAYS', 'DEPLOYMENT_STAGE'],
    table: {
      items: {
        GetItem: ['screening', 'screeners', 'catalog'],
        Query: ['catalog', 'sitePauses'],
        UpdateItem: ['screening'],
        PutItem: ['screening', 'lead', 'confirmation'],
      },
    },
    sendsEmail: false,
    runtimeFiles: ['node_modules/libphonenumber-js/metadata.min.json'],
    trigger: { kind: 'http', method: 'POST', path: '/screenings/{screeningId}/referrals' },
  },
  {
    name: 'get-screening',
    description: 'Returns a screening with the delivery status of each lead',
    entry: 'functions/get-screening/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: HTTP_ENV,
    // The catalog version: a screening's results are stored by id and shown from it.
    table: { items: { GetItem: ['screening'], BatchGetItem: ['lead'], Query: ['catalog'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'GET', path: '/screenings/{screeningId}' },
  },
  {
    name: 'erase-screening',
    description: "Erases a patient's screening, referral and leads",
    entry: 'functions/erase-screening/index.ts',
    memoryMb: 512,
    timeoutSeconds: 15,
    // The disclosure record is kept as long as the referral would have been.
    environment: [...HTTP_ENV, 'REFERRAL_RETENTION_DAYS'],
    table: {
      items: {
        GetItem: ['screening'],
        BatchGetItem: ['lead', 'confirmation'],
        DeleteItem: ['screening', 'lead', 'confirmation', 'idempotency'],
        // The disclosure record: to whom the erased data had been sent.
        PutItem: ['disclosure'],
      },
    },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'DELETE', path: '/screenings/{screeningId}' },
  },
  {
    name: 'get-site-lead',
    description: "Shows a lead to its site behind the lead page link, with the lead's outcome history",
    entry: 'functions/get-site-lead/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...HTTP_ENV, 'DEPLOYMENT_STAGE'],
    // Each view is counted on the lead.
    table: { items: { GetItem: ['lead'], UpdateItem: ['lead'], Query: ['sitePauses'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'GET', path: '/site/leads/{leadId}', throttle: SITE_ROUTE_THROTTLE },
  },
  {
    name: 'record-site-outcome',
    description: 'Records what the site did with a lead (contacted, scheduled, enrolled, not eligible...)',
    entry: 'functions/record-site-outcome/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...HTTP_ENV, 'DEPLOYMENT_STAGE'],
    table: { items: { GetItem: ['lead'], UpdateItem: ['lead'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'POST', path: '/site/leads/{leadId}/outcomes', throttle: SITE_ROUTE_THROTTLE },
  },
  {
    name: 'pause-site',
    description: "Stops new leads for a lead's site at the site's request (the operator resumes it)",
    entry: 'functions/pause-site/index.ts',
    memoryMb: 512,
    timeoutSeconds: 10,
    environment: [...HTTP_ENV, 'DEPLOYMENT_STAGE'],
    table: { items: { GetItem: ['lead'], PutItem: ['sitePauses'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'http', method: 'POST', path: '/site/leads/{leadId}/pause-site', throttle: SITE_ROUTE_THROTTLE },
  },
  {
    name: 'deliver-leads',
    description: 'Claims new leads and confirmations from the table stream and emails them through SES',
    entry: 'functions/deliver-leads/index.ts',
    memoryMb: 512,
    timeoutSeconds: 60,
    environment: DELIVERY_ENV,
    table: { items: { GetItem: ['lead', 'confirmation'], UpdateItem: ['lead', 'confirmation'] } },
    sendsEmail: true,
    runtimeFiles: [],
    trigger: {
      kind: 'stream',
      filterPatterns: [NEW_DELIVERY_FILTER],
      batchSize: 10,
      maxBatchingWindowSeconds: 0,
      retryAttempts: 5,
      maxRecordAgeSeconds: 6 * 60 * 60,
      bisectBatchOnError: true,
      parallelizationFactor: 1,
    },
  },
  {
    name: 'reconcile-leads',
    description: 'Retries leads whose next attempt is due and re-drives stale SENDING claims (the table is the source of truth)',
    entry: 'functions/reconcile-leads/index.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    environment: DELIVERY_ENV,
    // Due messages from the due index, and new ones the stream never delivered from the outbox index.
    table: {
      items: { GetItem: ['lead', 'confirmation'], UpdateItem: ['lead', 'confirmation'] },
      queriesIndexes: ['due', 'outbox'],
    },
    sendsEmail: true,
    runtimeFiles: [],
    // Every 2 minutes: the reconciler owns retries (backoff from 30 s), so it runs often.
    trigger: { kind: 'schedule', everyMinutes: 2 },
  },
  {
    name: 'remind-sites',
    description:
      'Reminds sites of leads with no outcome after the configured working days; counts leads unanswered for twice that',
    entry: 'functions/remind-sites/index.ts',
    memoryMb: 512,
    timeoutSeconds: 120,
    environment: [...DELIVERY_ENV, 'SITE_REMINDER_WORKING_DAYS'],
    // Sent leads from the outbox index, then the unanswered ones by key (the index holds only their
    // delivery state); the reminder claim and its fresh link on the lead.
    table: { items: { BatchGetItem: ['lead'], UpdateItem: ['lead'] }, queriesIndexes: ['outbox'] },
    sendsEmail: true,
    runtimeFiles: [],
    // Twice an hour: a reminder is due in working days; the unanswered count feeds an hourly alarm.
    trigger: { kind: 'schedule', everyMinutes: 30 },
  },
  {
    name: 'record-email-events',
    description:
      'Records SES delivery, bounce and complaint events on their lead or confirmation; a hard bounce marks it BOUNCED and pauses the address',
    entry: 'functions/record-email-events/index.ts',
    memoryMb: 256,
    timeoutSeconds: 30,
    environment: ['TABLE_NAME', 'DEPLOYMENT_STAGE'],
    // Events on their message (BOUNCED included); a bounced site address paused.
    table: { items: { UpdateItem: ['lead', 'confirmation'], PutItem: ['sitePauses'] } },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'email-events' },
  },
  {
    name: 'sync-registry',
    description: 'Syncs the trial catalog from the ClinicalTrials.gov API v2 and publishes it as a new catalog version',
    entry: 'functions/sync-registry/index.ts',
    memoryMb: 1024,
    // Thousands of studies at 100 a page, with backoff on 429s: minutes, not seconds.
    timeoutSeconds: 900,
    environment: ['TABLE_NAME', 'REGISTRY_API_URL', 'REGISTRY_CONDITIONS', 'REGISTRY_SCREENER_IDS', 'MAX_RECORD_AGE_DAYS'],
    // Publishes catalog versions and its own sync state; holds pending leads of closed sites.
    table: {
      items: {
        GetItem: ['catalog'],
        Query: ['catalog'],
        PutItem: ['catalog'],
        BatchWriteItem: ['catalog'],
        UpdateItem: ['lead'],
      },
      queriesIndexes: ['outbox'],
    },
    sendsEmail: false,
    runtimeFiles: [],
    trigger: { kind: 'registry-sync' },
  },
] as const satisfies readonly FunctionSpec[];

export type FunctionName = (typeof FUNCTIONS)[number]['name'];

export const httpFunctions = (): HttpFunctionSpec[] =>
  (FUNCTIONS as readonly FunctionSpec[]).filter((f): f is HttpFunctionSpec => f.trigger.kind === 'http');
export const streamFunctions = (): StreamFunctionSpec[] =>
  (FUNCTIONS as readonly FunctionSpec[]).filter((f): f is StreamFunctionSpec => f.trigger.kind === 'stream');
export const registrySyncFunction = (): RegistrySyncFunctionSpec =>
  (FUNCTIONS as readonly FunctionSpec[]).find((f): f is RegistrySyncFunctionSpec => f.trigger.kind === 'registry-sync')!;
export const emailEventFunctions = (): EmailEventFunctionSpec[] =>
  (FUNCTIONS as readonly FunctionSpec[]).filter((f): f is EmailEventFunctionSpec => f.trigger.kind === 'email-events');
export const scheduleFunctions = (): ScheduleFunctionSpec[] =>
  (FUNCTIONS as readonly FunctionSpec[]).filter((f): f is ScheduleFunctionSpec => f.trigger.kind === 'schedule');
