/**
 * The table access each function's manifest entry declares (and the stack grants, as IAM
 * statements with `dynamodb:LeadingKeys`) covers what the function really does. Every DynamoDB
 * call of a full journey through the real handlers on DynamoDB Local is recorded with the function
 * that made it; a call the declaration does not allow would be AccessDenied in AWS.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@aws-lambda-powertools/logger';
import { documentClient, tableRef } from '#adapters/dynamo';
import { loadEmailTemplates } from '#adapters/email-templates';
import { SiteLeadRepository } from '#adapters/site-lead-repository';
import { siteLinkIssuer } from '#adapters/site-links';
import { createRemindSitesHandler } from '#functions/remind-sites/reminders';
import type { Mailer } from '#core/delivery';
import type { RenderedEmail } from '#core/lead-email';
import { parseSiteLeadLocation } from '#core/site-leads';
import { FUNCTIONS, type FunctionName, type FunctionSpec, type TableItemAction } from '#functions/function-manifest';
import { createReconcileLeadsHandler } from '#functions/reconcile-leads/reconciler';
import { DUE_INDEX, OUTBOX_INDEX, PARTITION_KEY_PATTERNS, TABLE_ATTRIBUTES } from '#functions/table-schema';
import { aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { CapturedMetrics, deliveryConfig, outboxOf, testDelivery } from './delivery-fixtures';

interface Access {
  readonly fn: string;
  readonly action: TableItemAction | 'ConditionCheckItem' | 'Scan' | 'Other';
  /** The partition key, or `index:<name>` for an index query. */
  readonly key: string;
}

const trial = aTrial({ sites: [aSite()] });
const recorded: Access[] = [];
let current: FunctionName | 'setup' = 'setup';
let api: TestApi;

/** The command names the middleware sees (the DynamoDB operations; document-client inputs). */
const COMMAND_ACTIONS: Record<string, Access['action']> = {
  GetItemCommand: 'GetItem',
  PutItemCommand: 'PutItem',
  UpdateItemCommand: 'UpdateItem',
  DeleteItemCommand: 'DeleteItem',
  QueryCommand: 'Query',
  BatchGetItemCommand: 'BatchGetItem',
  BatchWriteItemCommand: 'BatchWriteItem',
  ScanCommand: 'Scan',
};

const pk = (key: Record<string, unknown> | undefined) => String(key?.[TABLE_ATTRIBUTES.partitionKey]);

/** The partition a Query reads: the value bound to the partition attribute in its key condition. */
function queriedKey(input: Record<string, any>): string {
  if (input.IndexName) return `index:${input.IndexName}`;
  const names: Record<string, string> = input.ExpressionAttributeNames ?? {};
  for (const [, name, value] of String(input.KeyConditionExpression).matchAll(/(#?\w+)\s*=\s*(:\w+)/g)) {
    if ((names[name!] ?? name) === TABLE_ATTRIBUTES.partitionKey) return String(input.ExpressionAttributeValues[value!]);
  }
  return '?';
}

function accessesOf(commandName: string, input: Record<string, any>): Omit<Access, 'fn'>[] {
  if (commandName === 'TransactWriteItemsCommand') {
    return (input.TransactItems as Record<string, any>[]).map((item) => {
      if (item.Put) return { action: 'PutItem', key: pk(item.Put.Item) };
      if (item.Update) return { action: 'UpdateItem', key: pk(item.Update.Key) };
      if (item.Delete) return { action: 'DeleteItem', key: pk(item.Delete.Key) };
      return { action: 'ConditionCheckItem', key: pk(item.ConditionCheck?.Key) };
    });
  }
  const action = COMMAND_ACTIONS[commandName] ?? 'Other';
  if (action === 'Query') return [{ action, key: queriedKey(input) }];
  if (action === 'BatchGetItem') {
    return Object.values(input.RequestItems as Record<string, { Keys: Record<string, unknown>[] }>).flatMap((request) =>
      request.Keys.map((key) => ({ action, key: pk(key) })),
    );
  }
  if (action === 'BatchWriteItem') {
    return Object.values(input.RequestItems as Record<string, Record<string, any>[]>).flatMap((requests) =>
      requests.map((request) => ({ action, key: pk(request.PutRequest?.Item ?? request.DeleteRequest?.Key) })),
    );
  }
  return [{ action, key: pk(input.Item ?? input.Key) }];
}

/** IAM `StringLike`: `*` matches any run of characters. */
const matchesPattern = (key: string, pattern: string) =>
  new RegExp(
    `^${pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  ).test(key);

function allowedByManifest({ fn, action, key }: Access): boolean {
  const spec = (FUNCTIONS as readonly FunctionSpec[]).find((candidate) => candidate.name === fn);
  if (!spec) return false;
  if (key.startsWith('index:')) {
    const indexes = { [OUTBOX_INDEX.name]: 'outbox', [DUE_INDEX.name]: 'due' } as Record<string, 'outbox' | 'due'>;
    return action === 'Query' && (spec.table.queriesIndexes ?? []).includes(indexes[key.slice('index:'.length)]!);
  }
  const partitions = spec.table.items[action as TableItemAction] ?? [];
  return partitions.some((partition) => PARTITION_KEY_PATTERNS[partition].some((pattern) => matchesPattern(key, pattern)));
}

class RecordingMailer implements Mailer {
  readonly sent: RenderedEmail[] = [];
  async send(email: RenderedEmail) {
    this.sent.push(email);
    return { ok: true as const, messageId: `message-${this.sent.length}` };
  }
}

async function as<T>(fn: FunctionName, call: () => Promise<T>): Promise<T> {
  current = fn;
  try {
    return await call();
  } finally {
    current = 'setup';
  }
}

beforeAll(async () => {
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      if (current !== 'setup') {
        for (const access of accessesOf(context.commandName ?? '', args.input as Record<string, any>))
          recorded.push({ fn: current, ...access });
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordTableAccess' },
  );
  api = await startTestApi({ screeners: [aScreener()], trials: [trial] });

  await as('list-screeners', () => api.request('GET', '/screeners'));
  await as('get-screener', () => api.request('GET', '/screeners/lower-back-pain'));
  const screening = await as('submit-screening', () =>
    api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
      headers: { 'Idempotency-Key': `access-${Date.now()}` },
    }),
  );
  const { screeningId, token } = screening.body as { screeningId: string; token: string };
  await as('create-referral', () =>
    api.request('POST', `/screenings/${screeningId}/referrals`, {
      token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Robin Patient', email: 'robin@example.org', phone: '+1 410 555 0199' },
        consent: { shareWithSites: true, phoneContact: true, textVersion: aScreener().consent.version },
      },
    }),
  );
  await as('get-screening', () => api.request('GET', `/screenings/${screeningId}`, { token }));

  const mailer = new RecordingMailer();
  const { delivery } = testDelivery(deliveryConfig(api.tableName), { mailer });
  await as('reconcile-leads', () => createReconcileLeadsHandler(delivery, { now: () => new Date(Date.now() + 3_600_000) })({}));
  // Ten days on, the sent lead has no outcome: the reminder run reads it from the outbox index and
  // the lead itself by key, and reminds its site.
  await as('remind-sites', () =>
    createRemindSitesHandler({
      outbox: outboxOf(api.tableName),
      siteLeads: new SiteLeadRepository(tableRef(api.tableName)),
      mailer,
      templates: loadEmailTemplates(),
      policy: { contactsApproved: true },
      appUrl: 'http://localhost:3000/',
      links: siteLinkIssuer(30),
      metrics: new CapturedMetrics(),
      logger: new Logger({ serviceName: 'table-access-test', logLevel: 'SILENT' }),
      now: () => new Date(Date.now() + 10 * 24 * 3_600_000),
      reminderWorkingDays: 3,
    })(),
  );
  const siteEmail = mailer.sent.find((email) => /\/site\/leads\//.test(email.text));
  const url = new URL(/https?:\/\/\S+\/site\/leads\/\S+/.exec(siteEmail?.text ?? '')?.[0] ?? 'http://missing/');
  const link = parseSiteLeadLocation(url.pathname, url.hash);
  if (link?.token) {
    await as('get-site-lead', () => api.request('GET', `/site/leads/${link.leadId}`, { token: link.token }));
    await as('record-site-outcome', () =>
      api.request('POST', `/site/leads/${link.leadId}/outcomes`, { token: link.token, body: { outcome: 'contacted' } }),
    );
    await as('pause-site', () =>
      api.request('POST', `/site/leads/${link.leadId}/pause-site`, { token: link.token, body: { reason: 'Recruitment closed' } }),
    );
  }
  const erased = await as('erase-screening', () => api.request('DELETE', `/screenings/${screeningId}`, { token }));
  if (erased.status !== 200 && erased.status !== 204) throw new Error(`erasure answered ${erased.status}`);
  // A whole journey of ten functions: generous, as the machine running the suite may be busy.
}, 120_000);

afterAll(() => {
  documentClient().middlewareStack.remove('recordTableAccess');
});

describe('declared table access', () => {
  it('records the table calls of every function of the journey', () => {
    const functions = new Set(recorded.map((access) => access.fn));

    for (const fn of [
      'list-screeners',
      'get-screener',
      'submit-screening',
      'create-referral',
      'get-screening',
      'reconcile-leads',
      'remind-sites',
      'get-site-lead',
      'record-site-outcome',
      'pause-site',
      'erase-screening',
    ]) {
      expect([fn, functions.has(fn)]).toEqual([fn, true]);
    }
    expect(recorded.every((access) => access.action !== 'Other')).toBe(true);
    // The outbox index holds no message content: the reminder run reads the lead by key.
    expect(recorded).toContainEqual(expect.objectContaining({ fn: 'remind-sites', action: 'BatchGetItem' }));
  });

  it('allows every call a function made: its manifest entry names the action and the partition', () => {
    const denied = recorded
      .filter((access) => !allowedByManifest(access))
      .map(({ fn, action, key }) => `${fn}: ${action} ${key}`);

    expect([...new Set(denied)]).toEqual([]);
  });

  it('would deny a call outside the declaration (the check can fail)', () => {
    expect(allowedByManifest({ fn: 'get-screener', action: 'PutItem', key: 'SCREENER' })).toBe(false);
    expect(allowedByManifest({ fn: 'get-screening', action: 'GetItem', key: 'CATALOG' })).toBe(false);
    expect(allowedByManifest({ fn: 'erase-screening', action: 'Query', key: `index:${OUTBOX_INDEX.name}` })).toBe(false);
  });
});
