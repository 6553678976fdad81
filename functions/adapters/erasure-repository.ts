/**
 * Erasure of a screening and everything of the patient's that hangs from it (see the README,
 * "Erasure", and `docs/data-model.md`, "Disclosure"): one DynamoDB transaction conditioned on the
 * token and on each message's delivery state as read, and the disclosure record (no patient data)
 * of the leads that had already reached a site. The Disclosure item's writer and reader are here.
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { refusals } from '#core/errors';
import { ERASURE_WAITS_FOR_SEND_MS } from '#core/outbox-timing';
import type { Disclosure, ErasureReceipt, ErasureStore } from '#core/ports';
import { LeadStatus } from '#core/model';
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
import { DEFAULT_REFERRAL_RETENTION_DAYS, readReferralFields, referralMessageFields } from './referral-repository';
import { readScreeningFields, screeningAccessFields } from './screening-repository';
import { tokenMatches } from './tokens';

export interface ErasureRepositoryOptions {
  /** How long the disclosure record is kept: the referral's retention (the sites' follow-up window). */
  referralRetentionDays?: number;
  now?: () => Date;
  /** Waits between erasure tries while a send is in flight (tests). */
  sleep?: (ms: number) => Promise<void>;
}

export class ErasureRepository implements ErasureStore {
  constructor(
    private readonly table: TableRef,
    private readonly options: ErasureRepositoryOptions = {},
  ) {}

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /**
   * Deletes the screening, its referral, leads, confirmation and idempotency record in one
   * transaction conditioned on the token and on each message's delivery state as read, so nothing
   * of the patient's remains in the table, and keeps a disclosure record (lead, trial, site, when
   * it was sent; no patient data) of the leads that already reached a site, which the operator
   * needs to tell those sites (see the README, "Erasure").
   *
   * Erasure wins over delivery: while a lead or confirmation is claimed for sending and its send
   * could still be in flight, erasure waits (at most `ERASURE_WAITS_FOR_SEND_MS`) and then commits
   * against the state it read; a worker never starts a send after that time (`core/delivery.ts`)
   * and cannot claim an item that is gone. Once this returns, no email about the patient is sent.
   *
   * @throws DomainError TOKEN_INVALID for a wrong token or an unknown screening.
   */
  async eraseScreening(screeningId: string, token: string): Promise<ErasureReceipt> {
    const receipt = await this.eraseAuthorized(screeningId, (tokenHash) => tokenMatches(token, tokenHash));
    if (!receipt) throw refusals.invalidToken();
    return receipt;
  }

  /**
   * The operator's erasure (`trial-screener screenings erase <id>`), for a patient who asks
   * without their token: the same transaction as `eraseScreening`, authorised by access to the
   * table rather than by the token.
   *
   * @returns undefined when there is no such screening.
   */
  async eraseScreeningAsOperator(screeningId: string): Promise<ErasureReceipt | undefined> {
    return this.eraseAuthorized(screeningId, () => true);
  }

  /** The disclosure record an erasure left, if any (the operator's `screenings disclosures`). */
  async getDisclosure(screeningId: string): Promise<ErasureReceipt | undefined> {
    const record = await getStoredItem(this.table, itemKeys.disclosure(screeningId), DisclosureItem, 'Disclosure');
    return record ? { screeningId, erasedAt: record.erasedAt, disclosedTo: record.disclosedTo } : undefined;
  }

  private async eraseAuthorized(
    screeningId: string,
    authorize: (tokenHash: string | undefined) => boolean,
  ): Promise<ErasureReceipt | undefined> {
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    // A claim (or a referral) racing this erasure makes a try fail its conditions: read again.
    // Bounded: a claim stops counting as in flight after ERASURE_WAITS_FOR_SEND_MS.
    const giveUpAt = this.now().getTime() + ERASURE_WAITS_FOR_SEND_MS + 5_000;
    for (;;) {
      // Only what erasure needs is read: an item whose other fields no longer read is still erasable.
      const stored = await readScreeningFields(this.table, screeningId, ErasableScreening);
      const authorized = authorize(stored?.tokenHash);
      if (!stored || !authorized) return undefined;
      const referred = stored.referred;
      const found = referred ? await readReferralFields(this.table, screeningId, ErasableReferral) : undefined;
      const referral = found?.referral;
      const leadIds = referral?.leadIds ?? [];
      const confirmationId = referral?.confirmationId;
      const messages = await this.readDeliveryStates(leadIds, confirmationId);
      const now = this.now();
      const inFlightSince = new Date(now.getTime() - ERASURE_WAITS_FOR_SEND_MS).toISOString();
      if (
        [...messages.values()].some(
          (message) => message.status === 'SENDING' && message.claimedAt !== undefined && message.claimedAt >= inFlightSince,
        )
      ) {
        if (now.getTime() > giveUpAt) throw new Error('Erasure gave up waiting for a send in flight');
        await sleep(100);
        continue;
      }

      const table = this.table.tableName;
      const transactItems: NonNullable<TransactWriteCommandInput['TransactItems']> = [
        {
          Delete: {
            TableName: table,
            Key: itemKeys.screening(screeningId),
            ConditionExpression: 'tokenHash = :tokenHash AND referred = :referred',
            ExpressionAttributeValues: { ':tokenHash': stored.tokenHash, ':referred': referred },
          },
        },
      ];
      const disclosedTo: Disclosure[] = [];
      if (referral) {
        // A referral made by older code has an item of its own; a newer one is on the screening.
        if (found?.storedApart) transactItems.push({ Delete: { TableName: table, Key: itemKeys.referral(screeningId) } });
        const outbox = [
          ...leadIds.map((leadId) => ({ key: itemKeys.lead(leadId), leadId })),
          ...(confirmationId ? [{ key: itemKeys.confirmation(confirmationId), leadId: undefined }] : []),
        ];
        for (const { key, leadId } of outbox) {
          const state = messages.get(key.PK);
          transactItems.push({ Delete: { TableName: table, Key: key, ...unchangedSince(state) } });
          const disclosure = leadId && state?.kind === 'LEAD' ? disclosureOf(leadId, state) : undefined;
          if (disclosure) disclosedTo.push(disclosure);
        }
      }
      const keyHash = stored.idempotencyKeyHash;
      if (keyHash) transactItems.push({ Delete: { TableName: table, Key: itemKeys.idempotency(keyHash) } });
      const erasedAt = now.toISOString();
      if (disclosedTo.length > 0) {
        transactItems.push({
          Put: {
            TableName: table,
            Item: {
              ...itemKeys.disclosure(screeningId),
              [TABLE_ATTRIBUTES.entityType]: 'DISCLOSURE',
              screeningId,
              erasedAt,
              disclosedTo,
              // Kept as long as the referral would have been: the sites' follow-up window.
              [TABLE_ATTRIBUTES.expiresAt]: expiresAfterDays(
                now,
                this.options.referralRetentionDays ?? DEFAULT_REFERRAL_RETENTION_DAYS,
              ),
            } satisfies StoredItemInput<typeof DisclosureItem>,
          },
        });
      }

      try {
        await this.table.client.send(new TransactWriteCommand({ TransactItems: transactItems }));
        return { screeningId, erasedAt, disclosedTo };
      } catch (error) {
        if (!cancellationReasons(error)?.includes('ConditionalCheckFailed')) throw error;
        if (this.now().getTime() > giveUpAt) throw error;
      }
    }
  }

  /**
   * The delivery state of a referral's leads and confirmation (consistent reads), by partition
   * key; a message that is gone is absent.
   *
   * @throws MalformedItemError for a message whose delivery state does not read.
   */
  private async readDeliveryStates(leadIds: readonly string[], confirmationId: string | undefined) {
    const leadKeys = new Set(leadIds.map((leadId) => itemKeys.lead(leadId).PK));
    const items = await batchGetItems(
      this.table,
      [...leadIds.map((leadId) => itemKeys.lead(leadId)), ...(confirmationId ? [itemKeys.confirmation(confirmationId)] : [])],
      { expression: 'PK, #status, claimedAt, sentAt, updatedAt, trialId, siteId, site.facility', names: { '#status': 'status' } },
    );
    const states = new Map<string, MessageState>();
    for (const item of items) {
      const isLead = typeof item.PK === 'string' && leadKeys.has(item.PK);
      const state: MessageState = isLead
        ? { kind: 'LEAD', ...readStoredItem(LeadState, item, 'Lead', 'of an erasure') }
        : { kind: 'CONFIRMATION', ...readStoredItem(MessageDeliveryState, item, 'Confirmation', 'of an erasure') };
      states.set(state.PK, state);
    }
    return states;
  }
}

/** The Screening item's fields erasure needs, built from their definitions in `screening-repository.ts`. */
const ErasableScreening = /* @__PURE__ */ z.defineSchema(() => z.objectOf(screeningAccessFields));

/** A message's delivery state as erasure projects it (`PK, status, claimedAt, sentAt, updatedAt`). */
/** The referral record's fields erasure needs, built from their definitions in `referral-repository.ts`. */
const ErasableReferral = /* @__PURE__ */ z.defineSchema(() => z.objectOf(referralMessageFields));

const MessageDeliveryState = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    PK: z.string(),
    status: LeadStatus,
    claimedAt: z.optional(z.string()),
    sentAt: z.optional(z.string()),
    updatedAt: z.optional(z.string()),
  }),
);
/** A lead's, with where it went (`trialId, siteId, site.facility`), for the disclosure record. */
const LeadState = /* @__PURE__ */ z.defineSchema(() =>
  z.extend(MessageDeliveryState, {
    trialId: z.string(),
    siteId: z.string(),
    site: z.optional(z.object({ facility: z.optional(z.string()) })),
  }),
);
type MessageState =
  | ({ kind: 'LEAD' } & z.output<typeof LeadState>)
  | ({ kind: 'CONFIRMATION' } & z.output<typeof MessageDeliveryState>);

/**
 * The Disclosure item's reader, beside its writer (`eraseAuthorized`): what an erased screening's
 * leads had disclosed to which sites, and no patient data.
 */
const DisclosureItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    screeningId: z.string(),
    erasedAt: z.string(),
    disclosedTo: z.array(
      z.object({
        leadId: z.string(),
        trialId: z.string(),
        siteId: z.string(),
        facility: z.optional(z.string()),
        status: z.enum(['SENT', 'POSSIBLY_SENT']),
        sentAt: z.optional(z.string()),
      }),
    ),
    [TABLE_ATTRIBUTES.expiresAt]: z.number(),
  }),
);

function disclosureOf(leadId: string, state: z.output<typeof LeadState>): Disclosure | undefined {
  const status = state.status === 'SENT' ? 'SENT' : state.status === 'SENDING' ? 'POSSIBLY_SENT' : undefined;
  if (!status) return undefined;
  const sentAt = state.sentAt ?? state.updatedAt;
  return {
    leadId,
    trialId: state.trialId,
    siteId: state.siteId,
    ...(state.site?.facility !== undefined ? { facility: state.site.facility } : {}),
    status,
    // A lead sent before `sentAt` was recorded has its last update as the time it was sent.
    ...(status === 'SENT' && sentAt !== undefined ? { sentAt } : {}),
  };
}

/** A delete condition: the message is still in the delivery state erasure read (or still absent). */
function unchangedSince(state: MessageState | undefined) {
  if (!state) return { ConditionExpression: 'attribute_not_exists(PK)' };
  const claimed = state.claimedAt !== undefined;
  return {
    ConditionExpression: `#status = :status AND ${claimed ? 'claimedAt = :claimedAt' : 'attribute_not_exists(claimedAt)'}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': state.status, ...(claimed ? { ':claimedAt': state.claimedAt } : {}) },
  };
}
