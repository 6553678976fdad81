/**
 * Screenings, their referral, leads and confirmation (see `docs/data-model.md`).
 *
 * Every multi-item change is one DynamoDB transaction with conditions, so a refused request
 * writes nothing and a referral can never exist without its leads (or the reverse). Tokens are
 * stored as hashes (`tokens.ts`); a wrong token and an unknown screening look the same. The one
 * exception is the patient's Confirmation item, which carries the token for the erasure link in
 * the confirmation email until that email is sent (see `docs/data-model.md`).
 */
import { randomUUID } from 'node:crypto';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { refusals, type DomainError } from '#core/errors';
import { DEFAULT_MAX_RECORD_AGE_DAYS } from '#core/freshness';
import type { LeadStatus } from '#core/model';
import { ERASURE_WAITS_FOR_SEND_MS, STREAM_GRACE_SECONDS } from '#core/outbox-timing';
import type {
  Disclosure,
  ErasureReceipt,
  IdempotencyRequest,
  IdempotencyStore,
  LeadSummary,
  NewReferral,
  NewScreening,
  ReferralStore,
  ReferralSummary,
  SavedScreening,
  ScreeningRecord,
  ScreeningStore,
  CatalogStore,
} from '#core/ports';
import {
  SCREENING_TOKEN_ATTRIBUTE,
  TABLE_ATTRIBUTES,
  dueKeys,
  itemKeys,
  outboxKeys,
  type ItemKey,
} from '#functions/table-schema';
import { SITE_OUTCOMES, type SiteOutcome } from '#core/site-leads';
import { presentStoredResults, storeResults, type StoredTrialResult } from '#core/stored-results';
import * as z from '#core/zod';
import { MedicalAdvice as MedicalAdviceBody, UrgentCare as UrgentCareBody } from '#functions/contract/api-responses';
import { CatalogRepository } from './catalog-repository';
import { cancellationReasons, expiresAfterDays, type TableRef } from './dynamo';
import { sealToken, sha256Hex, tokenMatches, unsealToken } from './tokens';

/** How long a client may replay `POST /screenings` with the same Idempotency-Key. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/**
 * A stable hash of a request body: object keys sorted at every level, so the same request sent
 * with its keys in another order is still recognised as the same request.
 */
export function requestHash(body: unknown): string {
  return sha256Hex(canonicalJson(body));
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export interface ScreeningRepositoryOptions {
  /**
   * The catalog versions a screening's results are stored against and shown from (they are
   * stored by id and value, `core/stored-results.ts`); share the use case's store so a version
   * is read once per container.
   */
  catalogs?: CatalogStore;
  screeningTtlDays?: number;
  referralRetentionDays?: number;
  now?: () => Date;
  /** Waits between erasure tries while a send is in flight (tests). */
  sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_SCREENING_TTL_DAYS = 30;
const DEFAULT_REFERRAL_RETENTION_DAYS = 365;

export class ScreeningRepository implements ScreeningStore, IdempotencyStore, ReferralStore {
  private readonly catalogs: CatalogStore;

  constructor(
    private readonly table: TableRef,
    private readonly options: ScreeningRepositoryOptions = {},
  ) {
    this.catalogs = options.catalogs ?? new CatalogRepository(table);
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }

  /**
   * The stored result of an earlier request with this Idempotency-Key, if any.
   *
   * @throws DomainError IDEMPOTENCY_KEY_REUSED when the key was used with a different body.
   */
  async findReplay(idempotency: IdempotencyRequest): Promise<SavedScreening | undefined> {
    const record = await this.table.client.send(
      new GetCommand({
        TableName: this.table.tableName,
        Key: itemKeys.idempotency(sha256Hex(idempotency.key)),
        ConsistentRead: true,
      }),
    );
    const item = record.Item;
    if (!item || Number(item.expiresAt) <= nowSeconds(this.now())) return undefined;
    if (item.requestHash !== requestHash(idempotency.request)) throw refusals.idempotencyKeyReused();
    const screening = await this.readScreening(String(item.screeningId));
    if (!screening) return undefined;
    return {
      screening: await this.toRecord(screening),
      token: unsealToken(String(item.sealedToken), idempotency.key),
      replayed: true,
    };
  }

  /**
   * Stores a new screening with a fresh token, then the idempotency record when the client sent
   * a key. Two single-item writes, not a transaction: a transaction bills every item twice, and the
   * order keeps them consistent. The idempotency record only ever names a screening already
   * stored; a screening whose record was never written (the function stopped in between) is
   * returned to nobody and expires with its TTL. A concurrent request with the same key loses
   * the race on the record, removes its own screening and receives the winner's result.
   */
  async createScreening(input: NewScreening, token: string, idempotency?: IdempotencyRequest): Promise<SavedScreening> {
    const now = this.now();
    const screeningId = randomUUID();
    const keyHash = idempotency ? sha256Hex(idempotency.key) : undefined;
    const item = {
      ...itemKeys.screening(screeningId),
      [TABLE_ATTRIBUTES.entityType]: 'SCREENING',
      screeningId,
      screenerId: input.screenerId,
      screenerVersion: input.screenerVersion,
      catalogVersion: input.catalogVersion,
      maxRecordAgeDays: input.maxRecordAgeDays,
      tokenHash: sha256Hex(token),
      answers: input.answers,
      outcome: input.outcome,
      redFlags: input.redFlags,
      // By id and value: the texts are the catalog version's (see `core/stored-results.ts`).
      results: JSON.stringify(await this.storedResults(input)),
      ...(input.urgentCare ? { urgentCare: input.urgentCare } : {}),
      ...(input.medicalAdvice ? { medicalAdvice: input.medicalAdvice } : {}),
      createdAt: now.toISOString(),
      [TABLE_ATTRIBUTES.expiresAt]: expiresAfterDays(now, this.options.screeningTtlDays ?? DEFAULT_SCREENING_TTL_DAYS),
      referred: false,
      ...(keyHash ? { idempotencyKeyHash: keyHash } : {}),
    };

    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey },
      }),
    );
    if (idempotency && keyHash) {
      try {
        await this.table.client.send(
          new PutCommand({
            TableName: this.table.tableName,
            Item: {
              ...itemKeys.idempotency(keyHash),
              [TABLE_ATTRIBUTES.entityType]: 'IDEMPOTENCY',
              screeningId,
              requestHash: requestHash(idempotency.request),
              sealedToken: sealToken(token, idempotency.key),
              [TABLE_ATTRIBUTES.expiresAt]: nowSeconds(now) + IDEMPOTENCY_WINDOW_HOURS * 60 * 60,
            },
            // An expired record that TTL has not deleted yet may be overwritten.
            ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
            ExpressionAttributeNames: { '#pk': TABLE_ATTRIBUTES.partitionKey, '#expiresAt': TABLE_ATTRIBUTES.expiresAt },
            ExpressionAttributeValues: { ':now': nowSeconds(now) },
          }),
        );
      } catch (error) {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
        // Another request with this key won: its screening is the one, this one goes.
        await this.table.client.send(
          new DeleteCommand({ TableName: this.table.tableName, Key: itemKeys.screening(screeningId) }),
        );
        const replay = await this.findReplay(idempotency);
        if (replay) return replay;
        throw error;
      }
    }
    return { screening: { ...recordOf(item), results: input.results }, token, replayed: false };
  }

  /**
   * The screening `token` authorises.
   *
   * @throws DomainError TOKEN_INVALID for a wrong token, an unknown or an expired screening alike.
   */
  async authorizeScreening(screeningId: string, token: string): Promise<ScreeningRecord> {
    const item = await this.readScreening(screeningId);
    // Compared before looking at whether the item exists: the same work either way.
    const matches = tokenMatches(token, storedTokenHash(item));
    if (!item || !matches || Number(item.expiresAt) <= nowSeconds(this.now())) {
      throw refusals.invalidToken();
    }
    return this.toRecord(item);
  }

  /** The referral of a screening with each lead's delivery status, or undefined when none. */
  async getReferral(screeningId: string): Promise<ReferralSummary | undefined> {
    const referral = await this.readReferral(screeningId);
    if (!referral) return undefined;
    const leadIds = (referral.leadIds as string[] | undefined) ?? [];
    const leads = new Map<string, LeadSummary>();
    if (leadIds.length > 0) {
      let keys: Record<string, unknown>[] = leadIds.map((leadId) => ({ ...itemKeys.lead(leadId) }));
      for (let attempt = 0; keys.length > 0 && attempt < 5; attempt += 1) {
        const result = await this.table.client.send(
          new BatchGetCommand({
            RequestItems: {
              [this.table.tableName]: {
                Keys: keys,
                ConsistentRead: true,
                ProjectionExpression: 'leadId, trialId, siteId, #status, updatedAt, latestOutcome, latestOutcomeAt',
                ExpressionAttributeNames: { '#status': 'status' },
              },
            },
          }),
        );
        for (const lead of result.Responses?.[this.table.tableName] ?? []) {
          leads.set(String(lead.leadId), {
            leadId: String(lead.leadId),
            trialId: String(lead.trialId),
            siteId: String(lead.siteId),
            status: lead.status as LeadStatus,
            updatedAt: String(lead.updatedAt),
            ...((SITE_OUTCOMES as readonly unknown[]).includes(lead.latestOutcome)
              ? { latestOutcome: { outcome: lead.latestOutcome as SiteOutcome, at: String(lead.latestOutcomeAt) } }
              : {}),
          });
        }
        keys = (result.UnprocessedKeys?.[this.table.tableName]?.Keys ?? []) as Record<string, unknown>[];
      }
    }
    return {
      referralId: String(referral.referralId),
      createdAt: String(referral.createdAt),
      leads: leadIds.flatMap((leadId) => leads.get(leadId) ?? []),
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
      shareWithSites: true,
      phoneContact: input.consent.phoneContact,
      textVersion: input.consent.textVersion,
      acceptedAt: timestamp,
    };
    const leads = input.plans.map((plan) => ({ leadId: randomUUID(), plan }));
    // Left to the stream first; due to the reconciler only if the stream has not delivered it.
    const dueAt = new Date(now.getTime() + STREAM_GRACE_SECONDS * 1000).toISOString();
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
          },
          ...notExists,
        },
      },
      ...leads.map(({ leadId, plan }) => ({
        Put: {
          TableName: table,
          Item: {
            ...itemKeys.lead(leadId),
            [TABLE_ATTRIBUTES.entityType]: 'LEAD',
            leadId,
            screeningId: input.screeningId,
            trialId: plan.trialId,
            siteId: plan.site.siteId,
            status: 'PENDING',
            attempts: 0,
            createdAt: timestamp,
            updatedAt: timestamp,
            [TABLE_ATTRIBUTES.expiresAt]: expiresAt,
            ...outboxKeys('PENDING', timestamp, leadId),
            ...dueKeys(dueAt, leadId),
            contact: sharedContact,
            consent,
            trial: { nctId: plan.trialId, title: plan.trialTitle },
            site: plan.site,
            recipient: plan.recipient,
            qualifyingAnswers: plan.qualifyingAnswers,
            criteriaMet: plan.criteriaMet,
            patientDistance: plan.patientDistance,
            screening: plan.screening,
          },
          ...notExists,
        },
      })),
      {
        Put: {
          TableName: table,
          Item: {
            ...itemKeys.confirmation(confirmationId),
            [TABLE_ATTRIBUTES.entityType]: 'CONFIRMATION',
            confirmationId,
            screeningId: input.screeningId,
            status: 'PENDING',
            attempts: 0,
            createdAt: timestamp,
            updatedAt: timestamp,
            [TABLE_ATTRIBUTES.expiresAt]: expiresAt,
            ...outboxKeys('PENDING', timestamp, confirmationId),
            ...dueKeys(dueAt, confirmationId),
            // The token in clear, for the erasure link in the patient's email: the one place the
            // table holds it unhashed, until delivery records SENT or FAILED and removes it.
            [SCREENING_TOKEN_ATTRIBUTE]: input.token,
            contact: { name: input.contact.name, email: input.contact.email },
            leads: leads.map(({ leadId, plan }) => ({
              leadId,
              trialTitle: plan.trialTitle,
              facility: plan.site.facility,
              city: plan.site.city,
              country: plan.site.country,
            })),
          },
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
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.disclosure(screeningId), ConsistentRead: true }),
    );
    if (!result.Item) return undefined;
    return {
      screeningId,
      erasedAt: String(result.Item.erasedAt),
      disclosedTo: (result.Item.disclosedTo as Disclosure[] | undefined) ?? [],
    };
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
      const stored = await this.readScreening(screeningId);
      const authorized = authorize(storedTokenHash(stored));
      if (!stored || !authorized) return undefined;
      const referred = stored.referred === true;
      const referral = referred ? await this.readReferral(screeningId) : undefined;
      const leadIds = (referral?.leadIds as string[] | undefined) ?? [];
      const confirmationId = referral?.confirmationId ? String(referral.confirmationId) : undefined;
      const messages = await this.readDeliveryStates([
        ...leadIds.map((leadId) => itemKeys.lead(leadId)),
        ...(confirmationId ? [itemKeys.confirmation(confirmationId)] : []),
      ]);
      const now = this.now();
      const inFlightSince = new Date(now.getTime() - ERASURE_WAITS_FOR_SEND_MS).toISOString();
      if (
        [...messages.values()].some((message) => message.status === 'SENDING' && String(message.claimedAt ?? '') >= inFlightSince)
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
            ExpressionAttributeValues: { ':tokenHash': String(stored.tokenHash), ':referred': referred },
          },
        },
      ];
      const disclosedTo: Disclosure[] = [];
      if (referral) {
        transactItems.push({ Delete: { TableName: table, Key: itemKeys.referral(screeningId) } });
        const outbox = [
          ...leadIds.map((leadId) => ({ key: itemKeys.lead(leadId), leadId })),
          ...(confirmationId ? [{ key: itemKeys.confirmation(confirmationId), leadId: undefined }] : []),
        ];
        for (const { key, leadId } of outbox) {
          const state = messages.get(key.PK);
          transactItems.push({ Delete: { TableName: table, Key: key, ...unchangedSince(state) } });
          const disclosure = leadId && state ? disclosureOf(leadId, state) : undefined;
          if (disclosure) disclosedTo.push(disclosure);
        }
      }
      const keyHash = stored.idempotencyKeyHash as string | undefined;
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
            },
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

  /** Delivery state of outbox items by partition key (consistent reads). */
  private async readDeliveryStates(keys: ItemKey[]): Promise<Map<string, Record<string, unknown>>> {
    const states = new Map<string, Record<string, unknown>>();
    let pending: Record<string, unknown>[] = keys.map((key) => ({ ...key }));
    for (let attempt = 0; pending.length > 0 && attempt < 5; attempt += 1) {
      const result = await this.table.client.send(
        new BatchGetCommand({
          RequestItems: {
            [this.table.tableName]: {
              Keys: pending,
              ConsistentRead: true,
              ProjectionExpression: 'PK, #status, claimedAt, sentAt, updatedAt, trialId, siteId, site.facility',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        }),
      );
      for (const item of result.Responses?.[this.table.tableName] ?? []) states.set(String(item.PK), item);
      pending = (result.UnprocessedKeys?.[this.table.tableName]?.Keys ?? []) as Record<string, unknown>[];
    }
    return states;
  }

  /** Why the table refused a referral: re-reads the screening to name the reason. */
  private async referralRefusal(screeningId: string, token: string): Promise<DomainError> {
    const item = await this.readScreening(screeningId);
    const matches = tokenMatches(token, storedTokenHash(item));
    if (!item || !matches) return refusals.invalidToken();
    if (item.outcome === 'urgent_care') return refusals.urgentCare();
    return refusals.referralExists();
  }

  private async readScreening(screeningId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.screening(screeningId), ConsistentRead: true }),
    );
    return result.Item;
  }

  /** The results by id and value, against the catalog version they were evaluated against. */
  private async storedResults(input: NewScreening): Promise<StoredTrialResult[]> {
    if (input.results.length === 0) return [];
    const catalog = await this.catalogs.getCatalogVersion(input.catalogVersion);
    if (!catalog)
      throw new Error(`Catalog ${input.catalogVersion} is gone: the screening's results cannot be stored by reference`);
    return storeResults(input.results, catalog);
  }

  /** A stored screening with its results shown again from its catalog version, as at its own time. */
  private async toRecord(item: Record<string, unknown>): Promise<ScreeningRecord> {
    const record = recordOf(item);
    const stored = StoredResults.parse(typeof item.results === 'string' ? JSON.parse(item.results) : []);
    if (stored.length === 0) return record;
    const catalog = await this.catalogs.getCatalogVersion(record.catalogVersion);
    if (!catalog) return record;
    return {
      ...record,
      results: presentStoredResults(stored, catalog, {
        maxRecordAgeDays: record.maxRecordAgeDays,
        now: new Date(record.createdAt),
      }),
    };
  }

  private async readReferral(screeningId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.referral(screeningId), ConsistentRead: true }),
    );
    return result.Item;
  }
}

function disclosureOf(leadId: string, state: Record<string, unknown>): Disclosure | undefined {
  const status = state.status === 'SENT' ? 'SENT' : state.status === 'SENDING' ? 'POSSIBLY_SENT' : undefined;
  if (!status) return undefined;
  const site = state.site as { facility?: unknown } | undefined;
  return {
    leadId,
    trialId: String(state.trialId ?? ''),
    siteId: String(state.siteId ?? ''),
    ...(typeof site?.facility === 'string' ? { facility: site.facility } : {}),
    status,
    ...(status === 'SENT' ? { sentAt: String(state.sentAt ?? state.updatedAt ?? '') } : {}),
  };
}

/** A delete condition: the message is still in the delivery state erasure read (or still absent). */
function unchangedSince(state: Record<string, unknown> | undefined) {
  if (!state) return { ConditionExpression: 'attribute_not_exists(PK)' };
  const claimed = typeof state.claimedAt === 'string';
  return {
    ConditionExpression: `#status = :status AND ${claimed ? 'claimedAt = :claimedAt' : 'attribute_not_exists(claimedAt)'}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':status': state.status, ...(claimed ? { ':claimedAt': state.claimedAt } : {}) },
  };
}

function storedTokenHash(item: Record<string, unknown> | undefined): string | undefined {
  return typeof item?.tokenHash === 'string' ? item.tokenHash : undefined;
}

function nowSeconds(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

/** The stored results' shape (`core/stored-results.ts`), checked on every read (here and by the funnel report's reader). */
const StoredSite = z.union([
  z.tuple([z.number(), z.enum(['w', 'a', 'u', '-'])]),
  z.tuple([z.number(), z.enum(['w', 'a', 'u', '-']), z.number(), z.number()]),
]);
export const StoredResults = z.array(z.tuple([z.string(), z.string().check(z.regex(/^[012]*$/)), z.nullable(StoredSite)]));

/**
 * The Screening item's reader, beside its writer (`createScreening`): every field checked, so a
 * malformed item fails loudly here rather than as a wrong answer later. Its results (a string,
 * `StoredResults`) are shown from the catalog by `toRecord`.
 */
const ScreeningItem = z.object({
  screeningId: z.string(),
  screenerId: z.string(),
  screenerVersion: z.string(),
  catalogVersion: z.string(),
  maxRecordAgeDays: z._default(z.number(), DEFAULT_MAX_RECORD_AGE_DAYS),
  answers: z.record(z.string(), z.union([z.boolean(), z.string(), z.array(z.string()), z.number()])),
  outcome: z.enum(['urgent_care', 'matches', 'no_matches']),
  redFlags: z._default(z.array(z.string()), []),
  urgentCare: z.optional(UrgentCareBody),
  medicalAdvice: z.optional(MedicalAdviceBody),
  createdAt: z.string(),
  [TABLE_ATTRIBUTES.expiresAt]: z.number(),
  referred: z.boolean(),
});

/** The screening's own fields; its results are shown from the catalog by `toRecord`. */
function recordOf(item: Record<string, unknown>): ScreeningRecord {
  const { urgentCare, medicalAdvice, ...fields } = ScreeningItem.parse(item);
  return {
    ...fields,
    results: [],
    ...(urgentCare ? { urgentCare } : {}),
    ...(medicalAdvice ? { medicalAdvice } : {}),
  };
}

function withoutPhone<T extends { phone?: string | undefined }>(contact: T): Omit<T, 'phone'> {
  const { phone: _phone, ...rest } = contact;
  return rest;
}
