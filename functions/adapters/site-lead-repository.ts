/**
 * The site's side of a Lead item: its signed links (hashes only), the outcomes the site records,
 * the record of every view, and the patient's view of the outcome. The lead's delivery attributes
 * stay the outbox's (`outbox-repository.ts`); this file adds attributes beside them:
 *
 * - `siteLinks`: `[{hash, expiresAt}]`, SHA-256 (hex) of each link token and its expiry (epoch s).
 *   Written when the lead email (or its reminder) is sent; a token is never stored.
 * - `outcomes`: the history (`LeadOutcomeEntry`), with `latestOutcome`/`latestOutcomeAt` beside it.
 * - `siteViews`, `lastViewedAt`, `lastViewedBy`: every view counted, the last one named by link id.
 * - `remindedAt`: when the one reminder went out.
 *
 * A wrong token, another lead's token, an expired token and an unknown lead all get the same
 * refusal, so a link reveals nothing about other leads.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { refusals } from '#core/errors';
import type { AuthorizedSiteLead, NewSiteOutcome, SiteLeadStore } from '#core/ports';
import * as z from '#core/zod';
import { MAX_OUTCOMES_PER_LEAD, NOT_ELIGIBLE_REASONS, SITE_OUTCOMES, linkIdOf, type LeadOutcomeEntry } from '#core/site-leads';
import { itemKeys } from '#functions/table-schema';
import { isConditionalCheckFailed, readStoredItem, type TableRef, optionalText } from './dynamo';
import { sharedLeadFields, storedLeadFields } from './outbox-repository';
import { tokenMatches } from './tokens';

export const SiteLinkRecord = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ hash: z.string().check(z.regex(/^[0-9a-f]{64}$/)), expiresAt: z.number() }),
);
export type SiteLinkRecord = z.infer<typeof SiteLinkRecord>;

export const StoredOutcome = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    outcome: z.enum(SITE_OUTCOMES),
    reason: z.optional(z.enum(NOT_ELIGIBLE_REASONS)),
    note: optionalText,
    at: z.string(),
    link: z.string(),
  }),
);

/** What the lead page shows, read from the Lead item the referral wrote. */
const SiteLeadItem = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    // The parts the lead email reads too, defined once beside its reader (`outbox-repository.ts`).
    ...z.objectOf(sharedLeadFields).shape,
    screeningId: z.string(),
    trialId: z.string(),
    siteId: z.string(),
    status: z.string(),
    consent: z.object({ phoneContact: z.boolean(), textVersion: z.string(), acceptedAt: z.string() }),
    qualifyingAnswers: z._default(z.array(z.object({ question: z.string(), answer: z.string() })), []),
    criteriaMet: z._default(z.array(z.string()), []),
    // What the form left undecided and what the trial leaves to the study team (written by the referral).
    screening: z.optional(
      z.object({ criteriaUnknown: z._default(z.array(z.string()), []), leftToStudyTeam: z._default(z.array(z.string()), []) }),
    ),
    recipient: z.object({ email: z.string() }),
    siteLinks: z._default(z.array(SiteLinkRecord), []),
    outcomes: z._default(z.array(StoredOutcome), []),
  }),
);
export type SiteLeadItem = z.infer<typeof SiteLeadItem>;

/**
 * The lead's links and its reminder claim: the writes the site reminders make, which read no lead.
 * Apart from `SiteLeadRepository` so that the reminder function carries and builds none of the
 * lead page's readers.
 */
export class SiteLeadLinks implements Pick<SiteLeadStore, 'addLink' | 'clearReminder'> {
  constructor(protected readonly table: TableRef) {}

  /** Gives a reminder claim back (its send failed), so the next run tries again. */
  async clearReminder(leadId: string): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: itemKeys.lead(leadId),
          UpdateExpression: 'REMOVE remindedAt',
          ConditionExpression: 'attribute_exists(PK)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Adds a link (its hash and expiry) to a lead, for a reminder email; with `remindedAt`, only if
   * no reminder was claimed yet. False when the lead is gone or the reminder already claimed.
   */
  async addLink(leadId: string, link: SiteLinkRecord, extra: { remindedAt?: string } = {}): Promise<boolean> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: itemKeys.lead(leadId),
          UpdateExpression: `SET siteLinks = list_append(if_not_exists(siteLinks, :empty), :links)${extra.remindedAt ? ', remindedAt = :remindedAt' : ''}`,
          ConditionExpression: `attribute_exists(PK)${extra.remindedAt ? ' AND attribute_not_exists(remindedAt)' : ''}`,
          ExpressionAttributeValues: {
            ':empty': [],
            ':links': [link],
            ...(extra.remindedAt ? { ':remindedAt': extra.remindedAt } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}

/** The lead page's side of a lead: who may open it, its views and its outcomes, and its links. */
export class SiteLeadRepository extends SiteLeadLinks implements SiteLeadStore {
  /**
   * The lead `token` opens, with the link it matched.
   *
   * @throws DomainError TOKEN_INVALID for an unknown lead, another lead's token or an expired link alike.
   */
  async authorize(leadId: string, token: string, now: Date): Promise<AuthorizedSiteLead> {
    const result = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.lead(leadId), ConsistentRead: true }),
    );
    const links = z.safeParse(z.array(SiteLinkRecord), result.Item?.siteLinks ?? []);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    // Every stored link is compared (constant time each), matched or not, so the time taken does
    // not tell which of a lead's links a guess came close to.
    let matched: SiteLinkRecord | undefined;
    for (const link of links.success ? links.data : []) {
      if (tokenMatches(token, link.hash) && link.expiresAt > nowSeconds) matched = link;
    }
    if (!result.Item || !matched) throw refusals.invalidSiteLink();
    // The link matched, so this is the lead: an item that does not read is a fault, said as one.
    const lead = readStoredItem(SiteLeadItem, storedLeadFields(result.Item), 'Lead', itemKeys.lead(leadId).PK);
    return { lead, linkId: linkIdOf(matched.hash), linkExpiresAt: new Date(matched.expiresAt * 1000).toISOString() };
  }

  /** Counts a view of the lead page and names the link that made it. */
  async recordView(leadId: string, linkId: string, now: Date): Promise<void> {
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: itemKeys.lead(leadId),
          UpdateExpression: 'ADD siteViews :one SET lastViewedAt = :now, lastViewedBy = :link',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':one': 1, ':now': now.toISOString(), ':link': linkId },
        }),
      );
    } catch (error) {
      // Erased between the read and this write: nothing left to record against.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /**
   * Appends an outcome to the lead's history.
   *
   * @returns the entry as stored, or undefined when the lead was erased meanwhile.
   * @throws DomainError OUTCOME_LIMIT_REACHED when the history is full.
   */
  async recordOutcome(leadId: string, linkId: string, outcome: NewSiteOutcome, now: Date): Promise<LeadOutcomeEntry | undefined> {
    const entry: LeadOutcomeEntry = {
      outcome: outcome.outcome,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...(outcome.note ? { note: outcome.note } : {}),
      at: now.toISOString(),
      link: linkId,
    };
    try {
      await this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: itemKeys.lead(leadId),
          UpdateExpression:
            'SET outcomes = list_append(if_not_exists(outcomes, :empty), :entry), latestOutcome = :outcome, latestOutcomeAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(outcomes) OR size(outcomes) < :max)',
          ExpressionAttributeValues: {
            ':empty': [],
            ':entry': [entry],
            ':outcome': entry.outcome,
            ':now': entry.at,
            ':max': MAX_OUTCOMES_PER_LEAD,
          },
        }),
      );
      return entry;
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
    const exists = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: itemKeys.lead(leadId), ProjectionExpression: 'PK' }),
    );
    if (!exists.Item) return undefined;
    throw refusals.outcomeLimitReached(MAX_OUTCOMES_PER_LEAD);
  }
}
