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
    const referral = await readReferralItem(this.table, screeningId);
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
          UpdateExpression: 'SET referred = :true, #expiresAt = :expiresAt',
          ConditionExpression:
            'attribute_exists(#pk) AND tokenHash = :tokenHash AND outcome <> :urgentCare AND referred = :false',
          ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey, '#expiresAt': TABLE_ATTRIBUTES.expiresAt },
          ExpressionAttributeValues: {
            ':true': true,
            ':false': false,
            ':expiresAt': expiresAt,
            ':tokenHash': sha256Hex(input.token),
            ':urgentCare': 'urgent_care',
          },
        },
      },
      {
        Put: {
          TableName: table,
          Item: {
            ...itemKeys.referral(input.screeningId),
            [TABLE_ATTRIBUTES.entityType]: 'REFERRAL',
            referralId,
            screeningId: input.screeningId,
            contact: sharedContact,
            consent,
            trialIds: input.trialIds,
            leadIds: leads.map((lead) => lead.leadId),
            confirmationId,
            createdAt: timestamp,
            [TABLE_ATTRIBUTES.expiresAt]: expiresAt,
          } satisfies StoredItemInput<typeof ReferralItem>,
          ...notExists,
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
      if (reasons?.[0] === 'ConditionalCheckFailed' || reasons?.[1] === 'ConditionalCheckFailed') {
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

/**
 * The Referral item's reader, beside its writer (`createReferral`). The contact and consent it
 * keeps are the referral's record; what a reader needs is which leads and confirmation it made.
 */
export const ReferralItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    referralId: z.string(),
    screeningId: z.string(),
    contact: z.object({ name: z.string(), email: z.string(), phone: z.optional(z.string()) }),
    consent: z.object({
      shareWithSites: z.literal(true),
      phoneContact: z.boolean(),
      textVersion: z.string(),
      acceptedAt: z.string(),
    }),
    trialIds: z.array(z.string()),
    leadIds: z.array(z.string()),
    confirmationId: z.string(),
    createdAt: z.string(),
    [TABLE_ATTRIBUTES.expiresAt]: z.number(),
  }),
);
export type StoredReferral = z.output<typeof ReferralItem>;

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
 * The Referral item of a screening (consistent read), read with its reader (or a `z.pick` of it),
 * or undefined when none.
 *
 * @throws MalformedItemError when the stored item does not read as a referral.
 */
export function readReferralItem(table: TableRef, screeningId: string): Promise<StoredReferral | undefined>;
export function readReferralItem<S extends z.ZodMiniType>(
  table: TableRef,
  screeningId: string,
  reader: S,
): Promise<z.output<S> | undefined>;
export async function readReferralItem(
  table: TableRef,
  screeningId: string,
  reader: z.ZodMiniType = ReferralItem,
): Promise<unknown> {
  return getStoredItem(table, itemKeys.referral(screeningId), reader, 'Referral');
}

function withoutPhone<T extends { phone?: string | undefined }>(contact: T): Omit<T, 'phone'> {
  const { phone: _phone, ...rest } = contact;
  return rest;
}
