/**
 * Benchmark 2b, which schemas each function builds at its cold start and which of them its request
 * parses: the necessity audit behind the cold-start profile. Building zod schemas is the largest
 * module body of most functions; a schema built at import that the function's request never parses
 * is cold-start work that could go, while one it parses can only move into the first request, which
 * the 1.3x target rules out (and which costs more in Lambda, where init code has been measured to
 * run faster than handler code below about 3 GB of memory).
 *
 * Each function is built as `bundles.ts` builds it, except that every `z.defineSchema` names its
 * schema and records the CPU time its build took, and each built schema counts the parses that reach
 * it (its `_zod.run`, which its parents call too). Every bundle then runs in a fresh process against
 * the local stack (DynamoDB Local with the seeded screeners and catalog, the SES emulator) with the
 * request it serves most, made real: a screening the stack stored, a referral's lead and the token
 * of the link its site email carries.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build, type Plugin } from 'esbuild';
import { FUNCTIONS, type FunctionName, type FunctionSpec } from '#functions/function-manifest';
import type { LocalStack } from '#local/launch';
import { buildProxyEvent } from '#local/api-routes';
import { ensureTable } from '#local/local-table';
import type { Answers } from '#core/model';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient, tableRef } from '#adapters/dynamo';
import { OutboxRepository } from '#adapters/outbox-repository';
import { itemKeys } from '#functions/table-schema';
import { writeReferral } from '#test/integration/delivery-fixtures';
import { fixtureStudy, startReplayServer, type ReplayServer } from '#test/setup/ctgov-replay';
import { FLOOR_ENTRIES, buildFloor, functionEnvironment, productionOptions } from './bundles';
import { median } from './stats';

const run = promisify(execFile);

/** Fresh imports per function, beside its audited run, for the median build time of each schema. */
const IMPORT_RUNS = 4;

/** get-openapi builds no schema; every other function is audited. */
type AuditedFunction = Exclude<FunctionName, 'get-openapi'>;

/**
 * The functions the audit runs, in the manifest's order: create-referral's lead then serves the
 * site functions, and the lead deliver-leads sent, record-email-events.
 */
export const AUDITED_FUNCTIONS = FUNCTIONS.map((spec) => spec.name).filter(
  (name): name is AuditedFunction => name !== 'get-openapi',
);

/** The row of the DynamoDB-client floor, run the same way (its request: one GetItem on the stack's table). */
export const AUDIT_FLOOR = 'floor: DynamoDB document client';

export interface AuditedSchema {
  /** `<file>:<const>` of the module-level schema. */
  name: string;
  /** CPU milliseconds its build took at import (the first builds also pay for V8 compiling zod's code). */
  buildMs: number;
  /** Whether the function's request parsed it (directly or inside a parent schema). */
  parsed: boolean;
}

/** What V8's precise coverage says of one run's bundle: how much of its source no call ever reached. */
export interface CodeCoverage {
  /** Characters of the bundle's source (ASCII: bytes). */
  sourceChars: number;
  /** Characters inside functions never called during the import and the request. */
  unexecutedChars: number;
  /** Of those, the project's own code (by the source map, sampled every 16 characters); the rest is packages'. */
  ownUnexecutedChars?: number;
}

export interface SchemaAuditRow {
  name: string;
  /** Of the audit bundle, during the import and the request (the floor's row: its import and its GetItem). */
  coverage?: CodeCoverage;
  /** What the request was, in words. */
  request: string;
  /** The HTTP status the request got (0 for an event-triggered function that returned). */
  status: number;
  schemas: AuditedSchema[];
}

/** The global the audit build's `defineSchema` reports to. */
const AUDIT_GLOBAL = '__schemaAudit';

/**
 * An esbuild plugin for the audit build: `core/zod.ts`'s `defineSchema` records each schema (name,
 * build time) and counts the parses that reach it; every `const X = /* @__PURE__ *\/ z.defineSchema(`
 * of a project module passes its name.
 */
function auditPlugin(repositoryRoot: string): Plugin {
  return {
    name: 'bench-schema-audit',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /[\\/]functions[\\/].*\.ts$/ }, async (args) => {
        let contents = await readFile(args.path, 'utf8');
        const file = args.path
          .slice(repositoryRoot.length)
          .replace(/^[\\/]/, '')
          .replace(/\\/g, '/');
        if (file === 'functions/core/zod.ts') {
          contents = contents.replace(
            'export const defineSchema = <Schema>(build: () => Schema): Schema => build();',
            `const auditedSchema = <Schema>(name: string, build: () => Schema): Schema => {
  const audit = ((globalThis as Record<string, unknown>).${AUDIT_GLOBAL} ??= []) as { name: string; buildMs: number; parsed: boolean }[];
  const cpu = () => { const usage = process.cpuUsage(); return (usage.user + usage.system) / 1000; };
  const started = cpu();
  const schema = build();
  const entry = { name, buildMs: cpu() - started, parsed: false };
  audit.push(entry);
  const internals = (schema as { _zod?: { run?: (...args: unknown[]) => unknown } })._zod;
  const original = internals?.run;
  if (internals && original) internals.run = function (this: unknown, ...args: unknown[]) { entry.parsed = true; return original.apply(this, args); };
  return schema;
};
export const defineSchema = Object.assign(<Schema>(build: () => Schema): Schema => auditedSchema('(unnamed)', build), {
  named: (name: string) => <Schema>(build: () => Schema): Schema => auditedSchema(name, build),
});`,
          );
        } else {
          contents = contents.replace(
            /((?:export )?const (\w+)(?:\s*:[^=]+)?\s*=\s*\/\* @__PURE__ \*\/ z\.)defineSchema\(/g,
            (_match, prefix: string, name: string) => `${prefix}defineSchema.named(${JSON.stringify(`${file}:${name}`)})(`,
          );
        }
        return { contents, loader: 'ts', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Imports an audit bundle and prints its schemas: what `importRuns` fresh processes time the builds with. */
const importScript = (file: string) =>
  `await import(${JSON.stringify(pathToFileURL(file).href)});process.stdout.write(JSON.stringify(globalThis.${AUDIT_GLOBAL}??[]));process.exit(0);`;

/** Imports an audit bundle, invokes its handler once with the event, prints the audit and the status. */
const auditScript = (file: string, eventFile: string) =>
  `import {readFileSync} from 'node:fs';const m=await import(${JSON.stringify(pathToFileURL(file).href)});` +
  `const event=JSON.parse(readFileSync(${JSON.stringify(eventFile)},'utf8'));` +
  `const context={awsRequestId:'audit',functionName:'audit',getRemainingTimeInMillis:()=>30000};` +
  `let status=0,body;try{const result=await m.handler(event,context);status=result?.statusCode??(result?.batchItemFailures?.length?-2:0);body=result?.body;}catch(error){status=-1;process.stderr.write(String(error?.stack??error));}` +
  `process.stdout.write(JSON.stringify({status,body,schemas:globalThis.${AUDIT_GLOBAL}??[]}));process.exit(0);`;

/**
 * The characters of `file` inside functions that V8's precise coverage (`NODE_V8_COVERAGE`) saw
 * called zero times: each function's whole range counted once, nested ones within it too.
 */
async function unexecutedCode(coverageDir: string, file: string): Promise<CodeCoverage> {
  const url = pathToFileURL(file).href;
  const source = await readFile(file, 'utf8');
  for (const name of await readdir(coverageDir)) {
    const report = JSON.parse(await readFile(join(coverageDir, name), 'utf8')) as {
      result: { url: string; functions: { ranges: { startOffset: number; endOffset: number; count: number }[] }[] }[];
    };
    const script = report.result.find((entry) => entry.url === url);
    if (!script) continue;
    const unexecuted = new Uint8Array(source.length);
    for (const fn of script.functions) {
      const [whole] = fn.ranges;
      if (whole && whole.count === 0) unexecuted.fill(1, whole.startOffset, Math.min(whole.endOffset, source.length));
    }
    return {
      sourceChars: source.length,
      unexecutedChars: unexecuted.reduce((sum, flag) => sum + flag, 0),
      ownUnexecutedChars: await ownCharsOf(file, source, unexecuted),
    };
  }
  throw new Error(`No coverage of ${file} in ${coverageDir}`);
}

/** Characters sampled per source-map lookup when attributing unrun code to its module. */
const ATTRIBUTION_STEP = 16;

/**
 * Of the flagged characters, those whose original source (the bundle's source map) is the
 * project's own code rather than a package's.
 */
async function ownCharsOf(file: string, source: string, flagged: Uint8Array): Promise<number> {
  const map = new SourceMap(JSON.parse(await readFile(`${file}.map`, 'utf8')));
  let line = 0;
  let lineStart = 0;
  let own = 0;
  for (let offset = 0; offset < source.length; offset++) {
    if (source.charCodeAt(offset) === 10) {
      line += 1;
      lineStart = offset + 1;
      continue;
    }
    if (offset % ATTRIBUTION_STEP !== 0 || !flagged[offset]) continue;
    const entry = map.findEntry(line, offset - lineStart) as { originalSource?: string };
    if (entry.originalSource && !entry.originalSource.includes('node_modules/')) own += ATTRIBUTION_STEP;
  }
  return own;
}

/** What EventBridge Scheduler hands a scheduled function. */
const scheduledEvent = () => ({
  version: '0',
  id: 'audit',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  time: new Date().toISOString(),
  detail: {},
});

/** Real ClinicalTrials.gov API v2 records among the test fixtures, replayed as the registry's answer. */
const REGISTRY_RECORDS = ['NCT03281889', 'NCT02552212', 'NCT06171568'];

interface StagedRequest {
  request: string;
  event: unknown;
  env?: NodeJS.ProcessEnv;
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A stored screening that offers a referral, made through the stack's API. */
async function referableScreening(stack: LocalStack, answers: Answers) {
  const body = await json<{
    screeningId: string;
    token: string;
    results: { trialId: string; eligibility: string; nearestSite: { acceptsReferrals: boolean } | null }[];
  }>(
    await fetch(`${stack.baseUrl}/screenings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ screenerId: 'lower-back-pain', answers }),
    }),
    'POST /screenings',
  );
  const trialId = body.results.find(
    (result) => result.eligibility !== 'ineligible' && result.nearestSite?.acceptsReferrals,
  )?.trialId;
  if (!trialId) throw new Error('The audit patient has no trial that accepts referrals: pick other answers');
  return { screeningId: body.screeningId, token: body.token, trialId };
}

function httpEvent(spec: FunctionSpec, parameters: Record<string, string>, options: { token?: string; body?: unknown } = {}) {
  if (spec.trigger.kind !== 'http') throw new Error(`${spec.name} is not an HTTP function`);
  const pathParameters = Object.fromEntries(
    [...spec.trigger.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, parameters[name!]!]),
  );
  return buildProxyEvent({
    method: spec.trigger.method,
    path: spec.trigger.path.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name]!),
    resource: spec.trigger.path,
    pathParameters,
    headers: {
      'Content-Type': 'application/json',
      Origin: 'https://example.org',
      'Idempotency-Key': `audit-${Date.now()}-${Math.random()}`,
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

/** The token of the lead page link that the site email of `leadId` carries, once the stack has delivered it. */
async function siteLinkToken(stack: LocalStack, leadId: string): Promise<string> {
  const deadline = Date.now() + 45_000;
  while (Date.now() < deadline) {
    const store = await json<{ emails: { body: { text?: string } }[] }>(
      await fetch(`${stack.sesUrl}/store`),
      'SES emulator store',
    );
    for (const email of store.emails) {
      const token = new RegExp(`/site/leads/${leadId}#t=([A-Za-z0-9_-]+)`).exec(email.body.text ?? '')?.[1];
      if (token) return token;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
  }
  throw new Error(`No site email for lead ${leadId} arrived in the SES emulator`);
}

/**
 * Runs the audit on the local stack: builds each audited function's audit bundle, stages its
 * request and runs it once in a fresh process.
 */
export async function runSchemaAudit(options: {
  repositoryRoot: string;
  workDir: string;
  stack: LocalStack;
  answers: Answers;
  /** Only these of `AUDITED_FUNCTIONS` (all when empty or absent). */
  only?: readonly string[];
}): Promise<SchemaAuditRow[]> {
  const { stack, repositoryRoot } = options;
  const spec = (name: string) => (FUNCTIONS as readonly FunctionSpec[]).find((candidate) => candidate.name === name)!;
  const stackEnv: NodeJS.ProcessEnv = {
    ...functionEnvironment(),
    TABLE_NAME: 'trial-screener-local',
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoDbEndpoint,
    AWS_ENDPOINT_URL_SES: stack.sesUrl,
    PUBLIC_APP_URL: stack.baseUrl,
  };
  const consentVersion = (
    await json<{ consent: { version: string } }>(await fetch(`${stack.baseUrl}/screeners/lower-back-pain`), 'GET screener')
  ).consent.version;
  const referralBody = (trialId: string) => ({
    trialIds: [trialId],
    contact: { name: 'Alex Patient', email: 'alex.patient@example.com' },
    consent: { shareWithSites: true, phoneContact: false, textVersion: consentVersion },
  });

  /** Each staged thing made once, on first use: an audit of a few functions stages only theirs. */
  const once = <T>(make: () => Promise<T>) => {
    let made: Promise<T> | undefined;
    return () => (made ??= make());
  };
  // The patient's screening the audited create-referral refers (its lead feeds the site functions).
  const referred = once(() => referableScreening(stack, options.answers));
  // The screening erased: referred through the stack, so the erasure tells a site.
  const erased = once(async () => {
    const screening = await referableScreening(stack, options.answers);
    await json(
      await fetch(`${stack.baseUrl}/screenings/${screening.screeningId}/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${screening.token}` },
        body: JSON.stringify(referralBody(screening.trialId)),
      }),
      'POST referral (for erasure)',
    );
    return screening;
  });
  /** Runs `write` in this process with the shared document client pointed at the stack's DynamoDB Local. */
  const withLocalClient = async <T>(write: () => Promise<T>): Promise<T> => {
    const localClientEnv = {
      AWS_ENDPOINT_URL_DYNAMODB: stack.dynamoDbEndpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'audit',
      AWS_SECRET_ACCESS_KEY: 'audit',
    };
    const previousEnv = Object.fromEntries(Object.keys(localClientEnv).map((key) => [key, process.env[key]]));
    Object.assign(process.env, localClientEnv);
    try {
      return await write();
    } finally {
      for (const [key, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };
  // A table of its own for the delivery functions, which the stack's delivery does not watch: its messages stay PENDING.
  const outboxTable = once(async () => {
    const tableName = `audit-outbox-${Date.now()}`;
    const credentials = { accessKeyId: 'audit', secretAccessKey: 'audit' };
    await ensureTable(new DynamoDBClient({ endpoint: stack.dynamoDbEndpoint, region: 'us-east-1', credentials }), tableName);
    return tableName;
  });
  const patient = { name: 'Alex Patient', email: 'alex.patient@example.com' };
  const siteRecipient = [{ trialId: 'NCT00000001', recipientEmail: 'coordinator@example.org' }];
  // A new lead, as the referral transaction writes it (the API's own repositories, in this process).
  const pending = once(async () => {
    const tableName = await outboxTable();
    const written = await withLocalClient(() => writeReferral(tableName, patient, siteRecipient));
    return { tableName, leadId: written.leadIds[0]! };
  });
  // A referral written five minutes ago whose stream record was lost: due to the reconciler.
  const overdue = once(async () => {
    const tableName = await outboxTable();
    const fiveMinutesAgo = () => new Date(Date.now() - 5 * 60_000);
    await withLocalClient(() => writeReferral(tableName, patient, siteRecipient, fiveMinutesAgo));
    return { tableName };
  });

  // A lead sent to its site ten days ago with no outcome since: due a reminder.
  const unanswered = once(async () => {
    const tableName = await outboxTable();
    const tenDaysAgo = new Date(Date.now() - 10 * 24 * 3600_000);
    await withLocalClient(async () => {
      const written = await writeReferral(tableName, patient, siteRecipient, () => tenDaysAgo);
      const outbox = new OutboxRepository(tableRef(tableName, documentClient()));
      const ref = { kind: 'LEAD', id: written.leadIds[0]! } as const;
      const claim = await outbox.claim(ref, tenDaysAgo, tenDaysAgo, new Date(tenDaysAgo.getTime() + 300_000));
      if (!claim || !(await outbox.markSent(claim, 'audit-message', tenDaysAgo)))
        throw new Error('Could not mark the audit lead sent');
    });
    return { tableName };
  });

  // The site functions open the lead of the referral the audited create-referral made; audited
  // without it, the referral is made through the stack.
  let referredLeadId: string | undefined;
  const leadOf = once(async () => {
    const { screeningId, token, trialId } = await referred();
    referredLeadId ??= (
      await json<{ leads: { leadId: string }[] }>(
        await fetch(`${stack.baseUrl}/screenings/${screeningId}/referrals`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(referralBody(trialId)),
        }),
        'POST referral (for the site functions)',
      )
    ).leads[0]?.leadId;
    if (!referredLeadId) throw new Error('The referral made no lead');
    return { leadId: referredLeadId, token: await siteLinkToken(stack, referredLeadId) };
  });
  let registry: ReplayServer | undefined;
  const stage: Record<AuditedFunction, () => Promise<StagedRequest>> = {
    'list-screeners': async () => ({ request: 'GET /screeners', event: httpEvent(spec('list-screeners'), {}) }),
    'get-screener': async () => ({
      request: 'GET /screeners/lower-back-pain',
      event: httpEvent(spec('get-screener'), { screenerId: 'lower-back-pain' }),
    }),
    'submit-screening': async () => ({
      request: 'POST /screenings, a typical patient',
      event: httpEvent(spec('submit-screening'), {}, { body: { screenerId: 'lower-back-pain', answers: options.answers } }),
    }),
    'create-referral': async () => {
      const { screeningId, token, trialId } = await referred();
      return {
        request: 'POST /screenings/{id}/referrals, one trial',
        event: httpEvent(spec('create-referral'), { screeningId }, { token, body: referralBody(trialId) }),
      };
    },
    'get-screening': async () => {
      const { screeningId, token } = await referred();
      return { request: 'GET /screenings/{id}, referred', event: httpEvent(spec('get-screening'), { screeningId }, { token }) };
    },
    'erase-screening': async () => {
      const { screeningId, token } = await erased();
      return {
        request: 'DELETE /screenings/{id}, referred',
        event: httpEvent(spec('erase-screening'), { screeningId }, { token }),
      };
    },
    'get-site-lead': async () => {
      const { leadId, token } = await leadOf();
      return {
        request: 'GET /site/leads/{id}, from its email link',
        event: httpEvent(spec('get-site-lead'), { leadId }, { token }),
      };
    },
    'record-site-outcome': async () => {
      const { leadId, token } = await leadOf();
      return {
        request: 'POST /site/leads/{id}/outcomes, contacted',
        event: httpEvent(spec('record-site-outcome'), { leadId }, { token, body: { outcome: 'contacted' } }),
      };
    },
    'pause-site': async () => {
      const { leadId, token } = await leadOf();
      return {
        request: 'POST /site/leads/{id}/pause-site',
        event: httpEvent(spec('pause-site'), { leadId }, { token, body: { reason: 'Not taking new patients this month' } }),
      };
    },
    'reconcile-leads': async () => {
      const { tableName } = await overdue();
      return { request: 'its scheduled run, with a referral overdue', event: scheduledEvent(), env: { TABLE_NAME: tableName } };
    },
    'record-email-events': async () => {
      // The delivery event SES publishes for the lead the audited deliver-leads sent.
      const { tableName, leadId } = await pending();
      const sent = await withLocalClient(() =>
        documentClient().send(new GetCommand({ TableName: tableName, Key: itemKeys.lead(leadId), ConsistentRead: true })),
      );
      const messageId = sent.Item?.sesMessageId;
      if (typeof messageId !== 'string') throw new Error('The audited deliver-leads left its lead unsent');
      return {
        request: 'the SES delivery event of a sent lead',
        event: {
          Records: [
            {
              EventSource: 'aws:sns',
              Sns: {
                MessageId: 'audit-notification',
                Message: JSON.stringify({
                  eventType: 'Delivery',
                  mail: { messageId, tags: { 'outbox-kind': ['LEAD'], 'outbox-id': [leadId] } },
                  delivery: { timestamp: new Date().toISOString(), recipients: ['coordinator@example.org'] },
                }),
              },
            },
          ],
        },
        env: { TABLE_NAME: tableName },
      };
    },
    'remind-sites': async () => {
      const { tableName } = await unanswered();
      return {
        request: 'its scheduled run, with a lead sent ten days ago and no outcome',
        event: scheduledEvent(),
        env: { TABLE_NAME: tableName },
      };
    },
    'sync-registry': async () => {
      // The registry as a replay of real ClinicalTrials.gov records (the tests' stand-in for the API).
      registry ??= await startReplayServer({
        cond: [{ page: REGISTRY_RECORDS.map((nctId) => fixtureStudy(nctId)), totalCount: REGISTRY_RECORDS.length }],
      });
      return {
        request: 'its scheduled run, against a replay of three real registry records',
        event: scheduledEvent(),
        env: { REGISTRY_API_URL: registry.url },
      };
    },
    'deliver-leads': async () => {
      const { tableName, leadId } = await pending();
      return {
        request: 'the stream record of a new lead, sent to the SES emulator',
        event: {
          Records: [
            {
              eventID: 'audit-1',
              eventName: 'INSERT',
              dynamodb: { NewImage: { entityType: { S: 'LEAD' }, leadId: { S: leadId } } },
            },
          ],
        },
        env: { TABLE_NAME: tableName },
      };
    },
  };

  /** Runs an audit bundle once in a fresh process, under V8's precise coverage. */
  const runAudited = async (file: string, eventFile: string, env: NodeJS.ProcessEnv) => {
    const coverageDir = join(dirname(file), 'coverage');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', auditScript(file, eventFile)], {
      env: { ...env, NODE_V8_COVERAGE: coverageDir },
      maxBuffer: 16 * 1024 * 1024,
    });
    const result = JSON.parse(stdout) as { status: number; body?: string; schemas: AuditedSchema[] };
    // Build times from fresh imports alone, median per schema: one process's figures move by half.
    const builds: number[][] = result.schemas.map(() => []);
    for (let i = 0; i < IMPORT_RUNS; i++) {
      const imported = await run(process.execPath, ['--input-type=module', '-e', importScript(file)], { env });
      for (const [index, schema] of (JSON.parse(imported.stdout) as AuditedSchema[]).entries())
        builds[index]?.push(schema.buildMs);
    }
    const schemas = result.schemas.map((schema, index) => ({ ...schema, buildMs: median([schema.buildMs, ...builds[index]!]) }));
    return { result: { ...result, schemas }, coverage: await unexecutedCode(coverageDir, file) };
  };

  // The floor first: what of the SDK's code any function leaves unrun is not the function's to cut.
  const floorDir = join(options.workDir, 'audit', 'floor');
  const floorEntry = FLOOR_ENTRIES.find((entry) => entry.name === AUDIT_FLOOR)!;
  await buildFloor(repositoryRoot, floorEntry.contents, 'audit-floor.ts', join(floorDir, 'index.mjs'));
  await writeFile(join(floorDir, 'event.json'), '{}');
  const floor = await runAudited(join(floorDir, 'index.mjs'), join(floorDir, 'event.json'), stackEnv);
  const rows: SchemaAuditRow[] = [
    { name: AUDIT_FLOOR, request: 'one GetItem', status: floor.result.status, coverage: floor.coverage, schemas: [] },
  ];
  for (const name of AUDITED_FUNCTIONS.filter((candidate) => !options.only?.length || options.only.includes(candidate))) {
    const functionSpec = spec(name);
    const dir = join(options.workDir, 'audit', name);
    await build({
      ...productionOptions(repositoryRoot, resolve(repositoryRoot, functionSpec.entry), join(dir, 'index.mjs')),
      metafile: false,
      plugins: [auditPlugin(repositoryRoot)],
    });
    for (const path of functionSpec.runtimeFiles) await cp(resolve(repositoryRoot, path), join(dir, path), { recursive: true });
    const staged = await stage[name]();
    const eventFile = join(dir, 'event.json');
    await mkdir(dir, { recursive: true });
    await writeFile(eventFile, JSON.stringify(staged.event));
    const { result, coverage } = await runAudited(join(dir, 'index.mjs'), eventFile, { ...stackEnv, ...staged.env });
    // An audit of a refused request would count the schemas of a path no patient or site takes.
    const succeeded = functionSpec.trigger.kind === 'http' ? result.status >= 200 && result.status < 300 : result.status === 0;
    if (!succeeded) throw new Error(`The audited ${name} request (${staged.request}) did not succeed: status ${result.status}`);
    if (name === 'create-referral')
      referredLeadId = (JSON.parse(result.body ?? '{}') as { leads?: { leadId: string }[] }).leads?.[0]?.leadId;
    rows.push({ name, request: staged.request, status: result.status, coverage, schemas: result.schemas });
  }
  await registry?.close();
  return rows;
}
