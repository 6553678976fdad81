/**
 * The outbox: Lead and Confirmation items and their delivery lifecycle in the one table
 * (`docs/data-model.md`). Every status change is one conditional update that also moves the item
 * in the outbox index (`GSI1PK = OUTBOX#<status>`, `GSI1SK = <updatedAt>#<id>`), so listing by
 * status and the reconciler query the index and never scan. The outbox index holds only each
 * message's delivery state (`OUTBOX_INDEX_ATTRIBUTES`); a reader that needs the message itself
 * gets the items by key (`allEntriesByStatus`).
 *
 * Writes after a claim are conditioned on that claim's timestamp (a fencing token): a worker whose
 * claim went stale and was taken over cannot overwrite the newer worker's outcome.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, UpdateCommand, paginateQuery, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
// `zod/mini` (tree-shakable): the delivery functions need no other schema than these and their
// configuration's, so their bundles carry only the small part of zod that these use.
import * as z from '#core/zod';
import type { OutboxClaim, OutboxKind, OutboxMessage, OutboxRef, OutboxStore } from '#core/delivery';
import { STREAM_GRACE_SECONDS } from '#core/outbox-timing';
import type { DueMessages } from '#core/ports';
import type { LeadPlan } from '#core/referral';
import type { SiteLinkRecord } from '#core/site-leads';
import {
  DUE_INDEX,
  DUE_PARTITION,
  dueKeys,
  dueUpTo,
  itemKeys,
  OUTBOX_INDEX,
  outboxKeys,
  outboxPartition,
  SCREENING_TOKEN_ATTRIBUTE,
  TABLE_ATTRIBUTES,
  type ItemKey,
  type OutboxStatus,
} from '#functions/table-schema';
import {
  batchGetItems,
  compressJson,
  decompressJson,
  issuePaths,
  readStoredItem,
  type StoredItemInput,
  type TableRef,
  optionalText,
} from './dynamo';
import { logger } from './logger';

export const OUTBOX_STATUSES = ['PENDING', 'SENDING', 'SENT', 'FAILED', 'BOUNCED'] as const satisfies readonly OutboxStatus[];

const nonEmpty = () => z.string().check(z.minLength(1));
/**
 * The lead's health summary: the answers it shows with their questions, the criteria met, what is
 * left to the study team, and the patient's distance. Stored as one gzip-compressed Binary
 * attribute (`LEAD_HEALTH_SUMMARY_ATTRIBUTE`, `compressJson` in `dynamo.ts`): these texts are most
 * of the item, and compressed they keep a lead under 2 KB, which the referral transaction bills
 * twice. Nothing filters, projects or conditions on them. Written by `newLeadItem` and read back
 * only through `storedLeadFields`, here. Its fields are builders (`z.objectOf`), so the readers
 * that hold them build each once, and their names are the object's keys.
 */
const healthSummaryFields = {
  qualifyingAnswers: () => z.array(z.object({ question: z.string(), answer: z.string() })),
  criteriaMet: () => z.array(z.string()),
  // Leads written before it was recorded have none.
  patientDistance: () => optionalText,
  // Leads written before matching recorded it have none.
  screening: () =>
    z.optional(
      z.object({
        eligibility: z.enum(['eligible', 'possibly_eligible']),
        criteriaUnknown: z.array(z.string()),
        leftToStudyTeam: z.array(z.string()),
        patientArea: optionalText,
        recordDate: z.string(),
        screenerVersion: z.string(),
      }),
    ),
};
const LeadHealthSummary = /* @__PURE__ */ z.defineSchema(() => z.objectOf(healthSummaryFields));

/** The Lead item's attribute holding its compressed health summary (`LeadHealthSummary`). */
export const LEAD_HEALTH_SUMMARY_ATTRIBUTE = 'healthSummary';

/**
 * The fields of a Lead item that both its email (`LeadItemContent`) and its site page
 * (`site-lead-repository.ts`) read, as builders: one definition each, built only by the readers
 * that use them, so the site functions build no more of the lead than their page shows.
 */
export const sharedLeadFields = {
  entityType: () => z.literal('LEAD'),
  leadId: nonEmpty,
  createdAt: nonEmpty,
  contact: () => z.object({ name: z.string(), email: z.string(), phone: optionalText }),
  trial: () => z.object({ nctId: nonEmpty(), title: nonEmpty() }),
  site: () =>
    z.object({
      facility: z.string(),
      city: optionalText,
      state: optionalText,
      postalCode: optionalText,
      country: z.string(),
    }),
};

/**
 * What the Lead item stores in the clear for its email, beside its compressed health summary. A
 * function rather than an object, so a bundle that never reads a lead's email drops it (a spread
 * would keep it).
 */
const storedLeadContentFields = () => ({
  ...sharedLeadFields,
  // No lead leaves without explicit consent, whatever wrote the item.
  consent: () =>
    z.object({
      shareWithSites: z.literal(true),
      phoneContact: z.boolean(),
      textVersion: nonEmpty(),
      acceptedAt: nonEmpty(),
    }),
  recipient: () => z.object({ name: optionalText, email: z.string() }),
});
const StoredLeadContent = /* @__PURE__ */ z.defineSchema(() => z.objectOf(storedLeadContentFields()));

/**
 * The delivery attributes a Lead item carries for its email (written by the referral transaction),
 * read from `storedLeadFields(item)`: the health summary is stored compressed.
 */
export const LeadItemContent = /* @__PURE__ */ z.defineSchema(() =>
  z.objectOf({ ...storedLeadContentFields(), ...healthSummaryFields }),
);

/**
 * A stored Lead item with its health summary decompressed into its own fields: what every reader
 * of a lead parses (`LeadItemContent`, the site page's reader, `leads show` and export). An item
 * written before the summary was compressed has the fields in the clear and reads as it is. A
 * summary that does not decompress to an object reads as null fields, which no reader accepts:
 * the item then fails its reader, which names the paths and never the values.
 */
export function storedLeadFields(item: Record<string, unknown>): Record<string, unknown> {
  if (!(LEAD_HEALTH_SUMMARY_ATTRIBUTE in item)) return item;
  const { [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: packed, ...fields } = item;
  const summary = z.safeParse(z.record(z.string(), z.unknown()), decompressJson(packed));
  // Only the summary's own fields: nothing in it can stand in for what is stored in the clear.
  return {
    ...fields,
    ...Object.fromEntries(Object.keys(healthSummaryFields).map((name) => [name, summary.success ? summary.data[name] : null])),
  };
}

/** The attributes a Confirmation item carries for the patient's email. */
export const ConfirmationItemContent = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    entityType: z.literal('CONFIRMATION'),
    confirmationId: nonEmpty(),
    screeningId: nonEmpty(),
    // The token in clear for the erasure link, until the confirmation is SENT or FAILED.
    screeningToken: optionalText,
    contact: z.object({ name: z.string(), email: z.string() }),
    leads: z
      .array(
        z.object({
          leadId: z.string(),
          trialTitle: z.string(),
          facility: z.string(),
          city: optionalText,
          country: z.string(),
        }),
      )
      .check(z.minLength(1)),
  }),
);

/**
 * When a new message was made and how long it is kept. A new message is not in the due index: the
 * reconciler takes it from the outbox index if the stream has not delivered it within the grace.
 */
export interface NewMessageTimes {
  /** ISO time of the referral. */
  createdAt: string;
  /** The TTL (epoch seconds): the referral's retention. */
  expiresAt: number;
}

/** A new message's delivery state: PENDING, in the outbox index (not the due index: see above). */
function pendingDelivery(id: string, times: NewMessageTimes) {
  return {
    status: 'PENDING' as const,
    attempts: 0,
    createdAt: times.createdAt,
    updatedAt: times.createdAt,
    [TABLE_ATTRIBUTES.expiresAt]: times.expiresAt,
    ...outboxKeys('PENDING', times.createdAt, id),
  };
}

/** A lead as the referral transaction records it. */
export interface NewLead {
  leadId: string;
  screeningId: string;
  plan: LeadPlan;
  /** Without the phone number when the patient declined calls. */
  contact: { name: string; email: string; phone?: string | undefined };
  consent: { shareWithSites: true; phoneContact: boolean; textVersion: string; acceptedAt: string };
}

/**
 * The Lead item's writer, beside its readers (`LeadItemContent` over `storedLeadFields` for the
 * email, `OutboxDeliveryState` for its delivery): a PENDING message in the outbox index, with what
 * its email needs, the health summary compressed.
 */
export function newLeadItem(lead: NewLead, times: NewMessageTimes) {
  const { leadId, plan } = lead;
  return {
    ...itemKeys.lead(leadId),
    [TABLE_ATTRIBUTES.entityType]: 'LEAD' as const,
    leadId,
    screeningId: lead.screeningId,
    trialId: plan.trialId,
    siteId: plan.site.siteId,
    ...pendingDelivery(leadId, times),
    contact: lead.contact,
    consent: lead.consent,
    trial: { nctId: plan.trialId, title: plan.trialTitle },
    site: plan.site,
    recipient: plan.recipient,
    [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: compressJson({
      qualifyingAnswers: plan.qualifyingAnswers,
      criteriaMet: plan.criteriaMet,
      patientDistance: plan.patientDistance,
      screening: plan.screening,
    } satisfies z.input<typeof LeadHealthSummary>),
  } satisfies StoredItemInput<typeof StoredLeadContent> & StoredItemInput<typeof OutboxDeliveryState>;
}

/** The patient's confirmation as the referral transaction records it. */
export interface NewConfirmation {
  confirmationId: string;
  screeningId: string;
  /** The screening token in clear, for the erasure link of the patient's email. */
  screeningToken: string;
  contact: { name: string; email: string };
  leads: { leadId: string; plan: LeadPlan }[];
}

/**
 * The Confirmation item's writer, beside its readers (`ConfirmationItemContent`,
 * `OutboxDeliveryState`): a PENDING message listing the studies the patient was referred to.
 */
export function newConfirmationItem(confirmation: NewConfirmation, times: NewMessageTimes) {
  const { confirmationId } = confirmation;
  return {
    ...itemKeys.confirmation(confirmationId),
    [TABLE_ATTRIBUTES.entityType]: 'CONFIRMATION' as const,
    confirmationId,
    screeningId: confirmation.screeningId,
    ...pendingDelivery(confirmationId, times),
    // The token in clear, for the erasure link in the patient's email: the one place the table
    // holds it unhashed, until delivery records SENT or FAILED and removes it.
    [SCREENING_TOKEN_ATTRIBUTE]: confirmation.screeningToken,
    contact: { name: confirmation.contact.name, email: confirmation.contact.email },
    leads: confirmation.leads.map(({ leadId, plan }) => ({
      leadId,
      trialTitle: plan.trialTitle,
      facility: plan.site.facility,
      city: plan.site.city,
      country: plan.site.country,
    })),
  } satisfies StoredItemInput<typeof ConfirmationItemContent> & StoredItemInput<typeof OutboxDeliveryState>;
}

/** What the due index projects: enough to name the message. */
const DueEntry = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ entityType: z.enum(['LEAD', 'CONFIRMATION']), leadId: optionalText, confirmationId: optionalText }),
);

/**
 * What a never-attempted message needs to be found in the outbox index: its name and when it was
 * written; read this leniently so that an item broken elsewhere still reaches the reconciler,
 * whose claim fails on it and moves it back in line.
 */
const WrittenEntry = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ ...DueEntry.shape, createdAt: optionalText, updatedAt: optionalText }),
);

/**
 * The delivery state every outbox item has; what `leads list` shows (no patient data). Exactly
 * what the outbox index projects (`OUTBOX_INDEX_ATTRIBUTES`), so it is read from the index alone.
 */
export const OutboxDeliveryState = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    entityType: z.enum(['LEAD', 'CONFIRMATION']),
    status: z.enum(OUTBOX_STATUSES),
    attempts: z._default(z.int().check(z.nonnegative()), 0),
    screeningId: optionalText,
    leadId: optionalText,
    confirmationId: optionalText,
    trialId: optionalText,
    siteId: optionalText,
    claimedAt: optionalText,
    sesMessageId: optionalText,
    sentAt: optionalText,
    nextAttemptAt: optionalText,
    lastError: optionalText,
    createdAt: optionalText,
    updatedAt: optionalText,
    /** A lead's latest outcome recorded by its site (`site-lead-repository.ts`), if any. */
    latestOutcome: optionalText,
    /** When a lead's one reminder went out to its site, if it did. */
    remindedAt: optionalText,
  }),
);
export type OutboxDeliveryState = z.infer<typeof OutboxDeliveryState>;

/** A message's claim state, read where a claim was refused: is it an abandoned claim to take over? */
const ClaimState = /* @__PURE__ */ z.defineSchema(() => z.object({ status: z.enum(OUTBOX_STATUSES), claimedAt: optionalText }));

/** What a claim returns of the message it updated (`ReturnValues: ALL_NEW`) besides its content. */
const ClaimedMessage = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    attempts: z.int().check(z.positive()),
    // Messages written before it was recorded have none (their delivery window starts at the claim).
    createdAt: optionalText,
    abandonedClaims: z._default(z.int().check(z.nonnegative()), 0),
  }),
);

/** One outbox entry as operators see it: its reference and delivery state. */
export interface OutboxSummary extends OutboxDeliveryState {
  ref: OutboxRef;
}

export interface OutboxPage {
  items: OutboxSummary[];
  /** Pass back as `cursor` for the next page; undefined on the last page. */
  cursor?: string | undefined;
}

/** A summary with the stored item it came from (a lead's health summary decompressed: `storedLeadFields`). */
export interface OutboxEntry {
  summary: OutboxSummary;
  item: Record<string, unknown>;
}

export interface ListOptions {
  /** Only items whose last update (or claim, for SENDING) is before this instant. */
  updatedBefore?: Date;
  limit?: number;
  cursor?: string | undefined;
}

export interface EntryOptions extends Omit<ListOptions, 'cursor'> {
  /** Only the entries whose delivery state (from the index) passes: the others are never read. */
  where?: (summary: OutboxSummary) => boolean;
}

/** The item's key for a reference. */
export function outboxItemKey(ref: OutboxRef): ItemKey {
  return ref.kind === 'LEAD' ? itemKeys.lead(ref.id) : itemKeys.confirmation(ref.id);
}

/** The reference of a stored outbox item, from its own attributes. */
export function outboxRefOf(item: {
  entityType: OutboxKind;
  leadId?: string | undefined;
  confirmationId?: string | undefined;
}): OutboxRef | undefined {
  const id = item.entityType === 'LEAD' ? item.leadId : item.confirmationId;
  return id ? { kind: item.entityType, id } : undefined;
}

/** Parses a stored item into what the email needs; a mismatch names the paths, never values. */
export function toOutboxMessage(item: Record<string, unknown>): OutboxMessage {
  const parsed =
    item.entityType === 'CONFIRMATION'
      ? ConfirmationItemContent.safeParse(item)
      : LeadItemContent.safeParse(storedLeadFields(item));
  if (!parsed.success) {
    const paths = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(item)'))];
    return { kind: 'INVALID', reason: `unexpected ${paths.join(', ')}` };
  }
  const content = parsed.data;
  return content.entityType === 'LEAD' ? { kind: 'LEAD', lead: content } : { kind: 'CONFIRMATION', confirmation: content };
}

/**
 * The outbox as its status index shows it: listing by status (with each item, for exports and
 * the reminders), and the status changes an operator or the registry sync makes (re-drive, hold).
 * Apart from `OutboxRepository` so that a function which only lists and holds (the registry sync,
 * the reminders) carries and builds at its cold start none of the delivery lifecycle's readers.
 */
export class OutboxIndex {
  constructor(protected readonly table: TableRef) {}

  protected get client(): DynamoDBDocumentClient {
    return this.table.client;
  }

  /** One page of the items in `status`, oldest update first, from the outbox index. */
  async listByStatus(status: OutboxStatus, options: ListOptions = {}): Promise<OutboxPage> {
    return this.queryStatus(status, options);
  }

  /** Every item in `status` (all pages), optionally only those updated before an instant. */
  async *allByStatus(status: OutboxStatus, options: Omit<ListOptions, 'cursor'> = {}): AsyncGenerator<OutboxSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.queryStatus(status, { ...options, cursor });
      yield* page.items;
      cursor = page.cursor;
    } while (cursor);
  }

  /**
   * Like `allByStatus`, with each stored item too (for operator exports and reminders; holds
   * patient data). The index holds only the delivery state, so the items are read by key, a
   * page at a time, and only for the entries `where` keeps. The summary is the item's own (the
   * index may lag it); an item gone meanwhile (erased) is left out.
   */
  async *allEntriesByStatus(status: OutboxStatus, options: EntryOptions = {}): AsyncGenerator<OutboxEntry> {
    const { where, ...listOptions } = options;
    let cursor: string | undefined;
    do {
      const page = await this.queryStatus(status, { ...listOptions, cursor });
      const wanted = where ? page.items.filter(where) : page.items;
      const items = await this.getItems(wanted.map((summary) => summary.ref));
      for (const summary of wanted) {
        const item = items.get(summary.ref.id);
        const state = item ? OutboxDeliveryState.safeParse(item) : undefined;
        if (item && state?.success) yield { summary: { ref: summary.ref, ...state.data }, item };
      }
      cursor = page.cursor;
    } while (cursor);
  }

  /** The stored items of `refs` by id (BatchGetItem, unprocessed keys retried); missing ones absent. */
  private async getItems(refs: readonly OutboxRef[]): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    for (const item of await batchGetItems(this.table, refs.map(outboxItemKey))) {
      const state = OutboxDeliveryState.safeParse(item);
      const ref = state.success ? outboxRefOf(state.data) : undefined;
      if (ref) found.set(ref.id, storedLeadFields(item));
    }
    return found;
  }

  /**
   * Puts a FAILED item back to PENDING with a fresh attempt budget, for the reconciler to deliver.
   * Returns false when the item does not exist or is not FAILED.
   */
  async redrive(ref: OutboxRef, now: Date): Promise<boolean> {
    const updatedAt = now.toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(ref),
          UpdateExpression:
            'SET #status = :pending, attempts = :zero, abandonedClaims = :zero, updatedAt = :now, nextAttemptAt = :now, ' +
            'GSI1PK = :gsi1pk, GSI1SK = :gsi1sk, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk REMOVE claimedAt',
          ConditionExpression: 'attribute_exists(PK) AND #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'PENDING',
            ':failed': 'FAILED',
            ':zero': 0,
            ':now': updatedAt,
            ...prefixed(outboxKeys('PENDING', updatedAt, ref.id)),
            ...prefixedDue(dueKeys(updatedAt, ref.id)),
          },
          // The attempt count restarts; the delivery window restarts too (it runs from createdAt
          // for a first delivery, from the redrive for a re-driven one).
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Holds a PENDING item that must not be sent (its trial or site closed): FAILED with
   * `held: <reason>`, so delivery never sends it, `leads list` shows why, and `leads redrive`
   * can release it if the closure was a mistake. Returns false when the item is no longer PENDING
   * (already claimed or sent).
   */
  async holdPending(ref: OutboxRef, reason: string, now: Date): Promise<boolean> {
    const updatedAt = now.toISOString();
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(ref),
          // FAILED leaves the due index (as markFailed does): a held message that had been rescheduled
          // must not stay first in the reconciler's line, skipped on every run.
          UpdateExpression:
            'SET #status = :failed, lastError = :reason, updatedAt = :now, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk ' +
            'REMOVE nextAttemptAt, GSI2PK, GSI2SK',
          ConditionExpression: 'attribute_exists(PK) AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':failed': 'FAILED',
            ':pending': 'PENDING',
            ':reason': `held: ${reason}`,
            ':now': updatedAt,
            ...prefixed(outboxKeys('FAILED', updatedAt, ref.id)),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  protected async queryStatus(status: OutboxStatus, options: ListOptions): Promise<OutboxPage> {
    const before = options.updatedBefore?.toISOString();
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: OUTBOX_INDEX.name,
        KeyConditionExpression: before ? 'GSI1PK = :pk AND GSI1SK < :before' : 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': outboxPartition(status), ...(before ? { ':before': before } : {}) },
        Limit: options.limit ?? 100,
        ExclusiveStartKey: decodeCursor(options.cursor),
      }),
    );
    const items: OutboxSummary[] = [];
    for (const entry of result.Items ?? []) {
      const state = OutboxDeliveryState.safeParse(entry);
      const ref = state.success ? outboxRefOf(state.data) : undefined;
      // An index entry that does not read is left out of the listing (one broken item must not
      // stop `leads list`, an export or the reminder run); `leads show <id>` names its fault.
      if (state.success && ref) items.push({ ref, ...state.data });
    }
    return { items, cursor: encodeCursor(result.LastEvaluatedKey) };
  }
}

/** The whole outbox: the status index and each message's content and delivery lifecycle. */
export class OutboxRepository extends OutboxIndex implements OutboxStore, DueMessages {
  async claim(ref: OutboxRef, now: Date, staleBefore: Date, staleAt: Date): Promise<OutboxClaim | null> {
    const claimedAt = now.toISOString();
    const claimWrite = (condition: string, values: Record<string, unknown>, abandoned: boolean) =>
      new UpdateCommand({
        TableName: this.table.tableName,
        Key: outboxItemKey(ref),
        UpdateExpression:
          'SET #status = :sending, attempts = if_not_exists(attempts, :zero) + :one, claimedAt = :now, updatedAt = :now, ' +
          'GSI1PK = :gsi1pk, GSI1SK = :gsi1sk, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk' +
          (abandoned ? ', abandonedClaims = if_not_exists(abandonedClaims, :zero) + :one' : ''),
        // Only an existing item: an erased lead must not be re-created by a late stream record.
        ConditionExpression: `attribute_exists(PK) AND ${condition}`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':sending': 'SENDING',
          ':zero': 0,
          ':one': 1,
          ':now': claimedAt,
          ...prefixed(outboxKeys('SENDING', claimedAt, ref.id)),
          // Due to the reconciler again only if this claim goes stale.
          ...prefixedDue(dueKeys(staleAt.toISOString(), ref.id)),
          ...values,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      });
    let item: Record<string, unknown>;
    try {
      // A PENDING message whose next attempt is due (a rescheduled one is not claimed early).
      const result = await this.client.send(
        claimWrite(
          '#status = :pending AND (attribute_not_exists(nextAttemptAt) OR nextAttemptAt <= :now)',
          { ':pending': 'PENDING' },
          false,
        ),
      );
      item = result.Attributes ?? {};
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The document client does not unmarshall the item a failed condition returns.
      const returned = (error as { Item?: Record<string, AttributeValue> }).Item;
      const stored = returned ? unmarshall(returned) : await this.readItem(ref);
      // Gone (erased) is not claimable; a stored message without a delivery state is a fault.
      const current = stored ? readStoredItem(ClaimState, stored, ref.kind, outboxItemKey(ref).PK) : undefined;
      const abandoned =
        current?.status === 'SENDING' && (current.claimedAt === undefined || current.claimedAt < staleBefore.toISOString());
      if (!abandoned) return null;
      // A SENDING claim whose worker never recorded an outcome: take it over, fenced on that
      // claim's timestamp so two reconcilers cannot both take it, and count the take-over.
      const previousClaim = current.claimedAt ?? '';
      try {
        const result = await this.client.send(
          claimWrite(
            '#status = :sending AND (attribute_not_exists(claimedAt) OR claimedAt = :previousClaim)',
            { ':previousClaim': previousClaim },
            true,
          ),
        );
        item = result.Attributes ?? {};
      } catch (takeOverError) {
        if (isConditionFailure(takeOverError)) return null;
        throw takeOverError;
      }
    }
    const claimed = readStoredItem(ClaimedMessage, item, ref.kind, outboxItemKey(ref).PK);
    return {
      ref,
      attempts: claimed.attempts,
      claimedAt,
      createdAt: claimed.createdAt ?? claimedAt,
      abandonedClaims: claimed.abandonedClaims,
      message: toOutboxMessage(item),
    };
  }

  // The Confirmation item's screening token (for the email's erasure link) goes in the same
  // conditional update that records SENT or FAILED, so the table holds it only until the
  // confirmation has gone out; a retry (back to PENDING) keeps it for the next attempt. Removing
  // it from a lead, which never has one, is a no-op. SENT and FAILED leave the due index.
  // A lead's page link is recorded (its hash only) with SENT, so a link works only once the
  // email carrying it has gone.
  async markSent(claim: OutboxClaim, sesMessageId: string, now: Date, siteLink?: SiteLinkRecord): Promise<boolean> {
    return this.finishClaim(claim, 'SENT', now, {
      ...(siteLink ? { append: { siteLinks: [siteLink] } } : {}),
      set: { sesMessageId, sentAt: now.toISOString() },
      remove: ['lastError', 'nextAttemptAt', SCREENING_TOKEN_ATTRIBUTE, DUE_INDEX.partitionKey, DUE_INDEX.sortKey],
    });
  }

  async markFailed(claim: OutboxClaim, reason: string, now: Date): Promise<void> {
    await this.finishClaim(claim, 'FAILED', now, {
      set: { lastError: reason },
      remove: ['nextAttemptAt', SCREENING_TOKEN_ATTRIBUTE, DUE_INDEX.partitionKey, DUE_INDEX.sortKey],
    });
  }

  async reschedule(claim: OutboxClaim, reason: string, nextAttemptAt: Date, now: Date): Promise<void> {
    const at = nextAttemptAt.toISOString();
    await this.finishClaim(claim, 'PENDING', now, {
      set: { lastError: reason, nextAttemptAt: at, ...dueKeys(at, claim.ref.id) },
    });
  }

  /**
   * When the longest-waiting undelivered message became due, or undefined when nothing is
   * waiting: the reconciler's health signal. The earlier of the first entry of the due index and
   * the oldest message never attempted (due `STREAM_GRACE_SECONDS` after it was written).
   */
  async oldestDueAt(): Promise<Date | undefined> {
    const result = await this.client.send(
      new QueryCommand({
        TableName: this.table.tableName,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: 'GSI2PK = :pk',
        ExpressionAttributeValues: { ':pk': DUE_PARTITION },
        ProjectionExpression: 'GSI2SK',
        Limit: 1,
      }),
    );
    const sortKey = result.Items?.[0]?.GSI2SK;
    const scheduled = typeof sortKey === 'string' ? new Date(sortKey.slice(0, sortKey.indexOf('#'))) : undefined;
    const [neverAttempted] = await this.neverAttempted(undefined, 1);
    const candidates = [scheduled, neverAttempted?.dueAt].filter(
      (date): date is Date => date !== undefined && !Number.isNaN(date.getTime()),
    );
    return candidates.length > 0 ? new Date(Math.min(...candidates.map((date) => date.getTime()))) : undefined;
  }

  /**
   * The messages due at `now` (oldest due first), at most `limit`: from the due index, PENDING
   * ones whose next attempt has come and SENDING claims gone stale; from the outbox index, PENDING
   * messages never attempted and older than `STREAM_GRACE_SECONDS` (ones the stream has not
   * delivered: a new message is not in the due index).
   */
  async dueRefs(now: Date, limit: number): Promise<OutboxRef[]> {
    const [scheduled, neverAttempted] = await Promise.all([this.scheduledDue(now, limit), this.neverAttempted(now, limit)]);
    const seen = new Set<string>();
    return [...scheduled, ...neverAttempted]
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime())
      .filter(({ ref }) => !seen.has(ref.id) && Boolean(seen.add(ref.id)))
      .slice(0, limit)
      .map(({ ref }) => ref);
  }

  /** Entries of the due index due at `now`, oldest first, at most `limit`. */
  private async scheduledDue(now: Date, limit: number): Promise<{ ref: OutboxRef; dueAt: Date }[]> {
    const due: { ref: OutboxRef; dueAt: Date }[] = [];
    const pages = paginateQuery(
      { client: this.client, pageSize: limit },
      {
        TableName: this.table.tableName,
        IndexName: DUE_INDEX.name,
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :upTo',
        ExpressionAttributeValues: { ':pk': DUE_PARTITION, ':upTo': dueUpTo(now.toISOString()) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const entry = DueEntry.safeParse(item);
        const ref = entry.success ? outboxRefOf(entry.data) : undefined;
        const sortKey = typeof item.GSI2SK === 'string' ? item.GSI2SK : '';
        // Left in the index, and said: the message it names is not lost silently.
        if (!ref)
          logger.warn('Unreadable due index entry skipped', { paths: entry.success ? ['(id)'] : issuePaths(entry.error) });
        else if (due.length < limit) due.push({ ref, dueAt: new Date(sortKey.slice(0, sortKey.indexOf('#'))) });
      }
      if (due.length >= limit) break;
    }
    return due;
  }

  /**
   * PENDING messages never attempted (no `nextAttemptAt`: not claimed, rescheduled or re-driven),
   * oldest first, from the outbox index: due `STREAM_GRACE_SECONDS` after they were written. Only
   * those due at `now` when given; at most `limit`.
   */
  private async neverAttempted(now: Date | undefined, limit: number): Promise<{ ref: OutboxRef; dueAt: Date }[]> {
    const graceMs = STREAM_GRACE_SECONDS * 1000;
    const upTo = now ? dueUpTo(new Date(now.getTime() - graceMs).toISOString()) : undefined;
    const due: { ref: OutboxRef; dueAt: Date }[] = [];
    const pages = paginateQuery(
      { client: this.client, pageSize: Math.max(limit, 25) },
      {
        TableName: this.table.tableName,
        IndexName: OUTBOX_INDEX.name,
        KeyConditionExpression: upTo ? 'GSI1PK = :pk AND GSI1SK <= :upTo' : 'GSI1PK = :pk',
        FilterExpression: 'attribute_not_exists(nextAttemptAt)',
        ExpressionAttributeValues: { ':pk': outboxPartition('PENDING'), ...(upTo ? { ':upTo': upTo } : {}) },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const entry = WrittenEntry.safeParse(item);
        const ref = entry.success ? outboxRefOf(entry.data) : undefined;
        const writtenAt = entry.success ? new Date(entry.data.updatedAt ?? entry.data.createdAt ?? '') : undefined;
        if (!ref || !writtenAt || Number.isNaN(writtenAt.getTime()))
          logger.warn('Unreadable outbox index entry skipped', { paths: entry.success ? ['(id)'] : issuePaths(entry.error) });
        else if (due.length < limit) due.push({ ref, dueAt: new Date(writtenAt.getTime() + graceMs) });
      }
      if (due.length >= limit) break;
    }
    return due;
  }

  /**
   * Moves a message's due time to `dueAt` without touching anything else: what the reconciler
   * does with an item whose delivery threw, so that it cannot stay first in line forever. A
   * message never attempted (not in the due index) is put in it, with `nextAttemptAt`, so that it
   * leaves the never-attempted list too.
   */
  async defer(ref: OutboxRef, dueAt: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(ref),
          // `nextAttemptAt` only where there is none: a message never attempted (or written before
          // new messages left the due index) then leaves the never-attempted list.
          UpdateExpression: 'SET GSI2PK = :gsi2pk, GSI2SK = :gsi2sk, nextAttemptAt = if_not_exists(nextAttemptAt, :dueAt)',
          ConditionExpression: 'attribute_exists(GSI2PK) OR #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ...prefixedDue(dueKeys(dueAt.toISOString(), ref.id)),
            ':dueAt': dueAt.toISOString(),
            ':pending': 'PENDING',
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  private async readItem(ref: OutboxRef): Promise<Record<string, unknown> | undefined> {
    const result = await this.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: outboxItemKey(ref), ConsistentRead: true }),
    );
    return result.Item;
  }

  /**
   * One outbox item with its delivery state, or undefined when there is none. The raw item is for
   * operators only.
   *
   * @throws MalformedItemError when its delivery state does not read (an operator asking for it
   *   must not be told it does not exist).
   */
  async get(ref: OutboxRef): Promise<OutboxEntry | undefined> {
    const key = outboxItemKey(ref);
    const result = await this.client.send(new GetCommand({ TableName: this.table.tableName, Key: key, ConsistentRead: true }));
    if (!result.Item) return undefined;
    const state = readStoredItem(OutboxDeliveryState, result.Item, ref.kind, key.PK);
    return { summary: { ref, ...state }, item: storedLeadFields(result.Item) };
  }

  private async finishClaim(
    claim: OutboxClaim,
    status: OutboxStatus,
    now: Date,
    changes: { set: Record<string, string>; remove?: string[]; append?: Record<string, unknown[]> },
  ): Promise<boolean> {
    const updatedAt = now.toISOString();
    const setNames = Object.keys(changes.set);
    const appendNames = Object.keys(changes.append ?? {});
    const remove = ['claimedAt', ...(changes.remove ?? [])];
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: outboxItemKey(claim.ref),
          UpdateExpression:
            `SET #status = :status, updatedAt = :now, GSI1PK = :gsi1pk, GSI1SK = :gsi1sk` +
            setNames.map((name) => `, ${name} = :${name}`).join('') +
            appendNames.map((name) => `, ${name} = list_append(if_not_exists(${name}, :emptyList), :${name})`).join('') +
            ` REMOVE ${remove.join(', ')}`,
          ConditionExpression: '#status = :sending AND claimedAt = :claimedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':status': status,
            ':sending': 'SENDING',
            ':claimedAt': claim.claimedAt,
            ':now': updatedAt,
            ...prefixed(outboxKeys(status, updatedAt, claim.ref.id)),
            ...Object.fromEntries(setNames.map((name) => [`:${name}`, changes.set[name]])),
            ...(appendNames.length > 0 ? { ':emptyList': [] } : {}),
            ...Object.fromEntries(appendNames.map((name) => [`:${name}`, changes.append?.[name]])),
          },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The claim went stale and another worker took over, or the patient erased their data
      // meanwhile; either way this worker's outcome no longer applies.
      logger.warn('Outbox claim lost before recording its outcome', {
        kind: claim.ref.kind,
        id: claim.ref.id,
        outcome: status,
      });
      return false;
    }
  }
}

function prefixedDue(keys: { GSI2PK: string; GSI2SK: string }): Record<string, string> {
  return { ':gsi2pk': keys.GSI2PK, ':gsi2sk': keys.GSI2SK };
}

function prefixed(keys: { GSI1PK: string; GSI1SK: string }): Record<string, string> {
  return { ':gsi1pk': keys.GSI1PK, ':gsi1sk': keys.GSI1SK };
}

function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  return z.record(z.string(), z.string()).parse(decoded);
}
