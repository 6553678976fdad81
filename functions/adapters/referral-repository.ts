/**
 * Referrals, their leads and the patient's confirmation (see `docs/data-model.md`, "Referral",
 * "Lead", "Confirmation"). A referral is one DynamoDB transaction with conditions, so a refused
 * request writes nothing and a referral can never exist without its leads (or the reverse). The
 * one place the table holds the screening token in clear is the Confirmation item, for the erasure
 * link of the confirmation email, until that email is sent (see `docs/data-model.md`).
 */
import { randomUUID } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { refusals, type DomainError } from '#core/errors';
import { LeadStatus } from '#core/model';
import type { LeadSummary, NewReferral, ReferralStore, ReferralSummary } from '#core/ports';
import { SITE_OUTCOMES } from '#core/site-leads';
import * as z from '#core/zod';
import { TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';
import {
  batchGetItems,
  cancellationReasons,
  expiresAfterDays,
  getStoredItem,
  readStoredItem,
  type StoredItemInput,
  type TableRef,
} from './dynamo';
import { newConfirmationItem, newLeadItem } from './outbox-repository';
import { readScreeningItem } from './screening-repository';
import { sha256Hex, tokenMatches } from './tokens';

/** How long a referral, its leads and an erasure's disclosure record are kept by default. */
export const DEFAULT_REFERRAL_RETENTION_DAYS = 365;

export interface ReferralRepositoryOptions {
  referralRetentionDays?: number;
  now?: () => Date;
}

export class ReferralRepository implements ReferralStore {
  constructor(
    private readonly table: TableRef,
    private readonly options: ReferralRepositoryOptions = {},
  ) {}

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /** The referral of a screening with each lead's delivery status, or undefined when none. */
  async getReferral(screeningId: string): Promise<ReferralSummary | undefined> {
    const referral = (await readReferral(this.table, screeningId))?.referral;
    if (!referral) return undefined;
    const found = await batchGetItems(
      this.table,
      referral.leadIds.map((leadId) => itemKeys.lead(leadId)),
      { expression: LEAD_SUMMARY_PROJECTION, names: { '#status': 'status' } },
    );
    const leads = new Map<string, LeadSummary>();
    for (const item of found) {
      const { latestOutcome, latestOutcomeAt, ...lead } = readStoredItem(LeadSummaryItem, item, 'Lead', 'of a referral');
      leads.set(lead.leadId, {
        ...lead,
        ...(latestOutcome && latestOutcomeAt ? { latestOutcome: { outcome: latestOutcome, at: latestOutcomeAt } } : {}),
      });
    }
    return {
      referralId: referral.referralId,
      createdAt: referral.createdAt,
      leads: referral.leadIds.flatMap((leadId) => leads.get(leadId) ?? []),
    };
  }

  /**
   * Records the referral, one PENDING lead per planned (trial, site) and the patient's
   * confirmation, and marks the screening referred (keeping it as long as the referral), all in
   * one transaction. The screening update is conditioned on the token, on the outcome not being
   * urgent care and on no earlier referral, so the table itself refuses what the handler refuses.
   */
  async createReferral(input: NewReferral): Promise<ReferralSummary> {
    const now = this.now();
    const timestamp = now.toISOString();
    const expiresAt = expiresAfterDays(now, this.options.referralRetentionDays ?? DEFAULT_REFERRAL_RETENTION_DAYS);
    const referralId = randomUUID();
    const confirmationId = randomUUID();
    // A patient who declined calls: neither the referral nor any lead carries a phone number, so
    // no site email or lead page can show one (minimum necessary).
    const sharedContact = input.consent.phoneContact ? input.contact : withoutPhone(input.contact);
    const consent = {
      shareWithSites: true as const,
      phoneContact: input.consent.phoneContact,
      textVersion: input.consent.textVersion,
      acceptedAt: timestamp,
    };
    const leads = input.plans.map((plan) => ({ leadId: randomUUID(), plan }));
    // Left to the stream: a new message is not in the due index (one index write fewer per
    // message); the reconciler finds one the stream never delivered in the outbox index, PENDING
    // and never attempted, once `STREAM_GRACE_SECONDS` have passed (`OutboxRepository.dueRefs`).
    const times = { createdAt: timestamp, expiresAt };
    const table = this.table.tableName;
    const notExists = {
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
    };

    const transactItems: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Update: {
          TableName: table,
          Key: itemKeys.screening(input.screeningId),
          // The referral's record is kept on the screening (`StoredReferral`): one item fewer in the
          // transaction (2 write units), and the screening stays under 2 KB with it.
          UpdateExpression: 'SET referred = :true, #expiresAt = :expiresAt, #referral = :referral',
          ConditionExpression:
            'attribute_exists(#pk) AND tokenHash = :tokenHash AND outcome <> :urgentCare AND referred = :false',
          ExpressionAttributeNames: {
            '#pk': TABLE_ATTRIBUTES.partitionKey,
            '#expiresAt': TABLE_ATTRIBUTES.expiresAt,
            '#referral': REFERRAL_ATTRIBUTE,
          },
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':expiresAt': expiresAt,
            ':referral': {
              referralId,
              trialIds: input.trialIds,
              leadIds: leads.map((lead) => lead.leadId),
              confirmationId,
              createdAt: timestamp,
            } satisfies z.input<typeof StoredReferral>,
            ':tokenHash': sha256Hex(input.token),
            ':urgentCare': 'urgent_care',
          },
        },
      },
      ...leads.map(({ leadId, plan }) => ({
        Put: {
          TableName: table,
          Item: newLeadItem(
            { leadId, screeningId: input.screeningId, plan, contact: sharedContact, consent },
            times,
          ) satisfies StoredItemInput<typeof LeadSummaryItem>,
          ...notExists,
        },
      })),
      {
        Put: {
          TableName: table,
          Item: newConfirmationItem(
            { confirmationId, screeningId: input.screeningId, screeningToken: input.token, contact: input.contact, leads },
            times,
          ),
          ...notExists,
        },
      },
    ];

    try {
      await this.table.client.send(new TransactWriteCommand({ TransactItems: transactItems }));
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons?.[0] === 'ConditionalCheckFailed') {
        throw await this.referralRefusal(input.screeningId, input.token);
      }
      throw error;
    }
    return {
      referralId,
      createdAt: timestamp,
      leads: leads.map(({ leadId, plan }) => ({
        leadId,
        trialId: plan.trialId,
        siteId: plan.site.siteId,
        status: 'PENDING' as const,
        updatedAt: timestamp,
      })),
    };
  }

  /** Why the table refused a referral: re-reads the screening to name the reason. */
  private async referralRefusal(screeningId: string, token: string): Promise<DomainError> {
    const item = await readScreeningItem(this.table, screeningId);
    const matches = tokenMatches(token, item?.tokenHash);
    if (!item || !matches) return refusals.invalidToken();
    if (item.outcome === 'urgent_care') return refusals.urgentCare();
    return refusals.referralExists();
  }
}

/** The Screening item's attribute holding its referral's record (`StoredReferral`), written by `createReferral`. */
export const REFERRAL_ATTRIBUTE = 'referral';

/**
 * The referral record's fields that name the messages it made, as builders (`z.objectOf`):
 * erasure's reader is built from these alone.
 */
export const referralMessageFields = {
  leadIds: () => z.array(z.string()),
  confirmationId: () => z.string(),
};

/**
 * A referral's record, beside its writer (`createReferral`): which trials were chosen, the leads
 * and confirmation it made. Kept on the Screening item (`REFERRAL_ATTRIBUTE`); a referral made by
 * older code is a Referral item of its own (`SCREENING#<id>` / `REFERRAL`), which also kept copies
 * of the contact and consent that the leads and the confirmation carry themselves.
 */
export const StoredReferral = /* @__PURE__ */ z.defineSchema(() =>
  z.objectOf({
    referralId: () => z.string(),
    trialIds: () => z.array(z.string()),
    ...referralMessageFields,
    createdAt: () => z.string(),
  }),
);

export type StoredReferral = z.output<typeof StoredReferral>;

/** What the patient's status page shows of each lead (projected by `LEAD_SUMMARY_PROJECTION`). */
const LeadSummaryItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    leadId: z.string(),
    trialId: z.string(),
    siteId: z.string(),
    status: LeadStatus,
    updatedAt: z.string(),
    // Written by the site's outcome (`site-lead-repository.ts`), absent until the site records one.
    latestOutcome: z.optional(z.enum(SITE_OUTCOMES)),
    latestOutcomeAt: z.optional(z.string()),
  }),
);
const LEAD_SUMMARY_PROJECTION = 'leadId, trialId, siteId, #status, updatedAt, latestOutcome, latestOutcomeAt';

/**
 * A screening's referral record (consistent reads), from the Screening item, or from the Referral
 * item of its own that older code wrote (`storedApart`: erasure deletes that item too); undefined
 * when the screening has none.
 *
 * @throws MalformedItemError when the stored record does not read.
 */
export function readReferral(
  table: TableRef,
  screeningId: string,
): Promise<{ referral: StoredReferral; storedApart: boolean } | undefined> {
  return readReferralFields(table, screeningId, StoredReferral);
}

/**
 * The same with a reader of a few of its fields (built with `z.objectOf(referralMessageFields)`),
 * which checks only those.
 *
 * @throws MalformedItemError when those fields do not read.
 */
export async function readReferralFields<S extends z.ZodMiniType>(
  table: TableRef,
  screeningId: string,
  reader: S,
): Promise<{ referral: z.output<S>; storedApart: boolean } | undefined> {
  const onScreening = z.object({ [REFERRAL_ATTRIBUTE]: z.optional(reader) });
  const screening = await getStoredItem(table, itemKeys.screening(screeningId), onScreening, 'Referral');
  const referral = screening?.[REFERRAL_ATTRIBUTE] as z.output<S> | undefined;
  if (referral !== undefined) return { referral, storedApart: false };
  const apart = await getStoredItem(table, itemKeys.referral(screeningId), reader, 'Referral');
  return apart === undefined ? undefined : { referral: apart, storedApart: true };
}

function withoutPhone<T extends { phone?: string | undefined }>(contact: T): Omit<T, 'phone'> {
  const { phone: _phone, ...rest } = contact;
  return rest;
}
