/**
 * The funnel's records (`core/funnel.ts`) read from the table: Screening and Lead items, by a
 * scan filtered on `entityType` (the report is an operator's occasional read of the whole table;
 * no index holds screenings by date). The projection names only the fields the funnel counts,
 * so a screening's answers and a lead's contact, consent and answers never leave the table; the
 * site's notes on outcomes are dropped by the reader below. Every item is read with a zod reader;
 * an item that does not read is counted in `unreadable`, never guessed at.
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { FunnelCriterion, FunnelLead, FunnelRecords, FunnelScreening, FunnelTrialResult } from '../core/funnel';
import * as z from '../core/zod';
import { TABLE_ATTRIBUTES, type EntityType } from '../table-schema';
import type { TableRef } from './dynamo';

const CriterionResult = z.enum(['met', 'not_met', 'unknown']);

/** A trial's result as a screening stores it: the fields the funnel needs of `TrialResult`. */
const StoredTrialResult = z.object({
  trialId: z.string(),
  eligibility: z.enum(['eligible', 'possibly_eligible', 'ineligible']),
  criteria: z.array(
    z.object({ id: z.string(), kind: z.enum(['inclusion', 'exclusion']), text: z.string(), result: CriterionResult }),
  ),
  nearestSite: z.nullable(z.object({ siteId: z.string() })),
});

const ScreeningItem = z.object({
  screeningId: z.string(),
  createdAt: z.string(),
  outcome: z.enum(['urgent_care', 'matches', 'no_matches']),
  results: z._default(z.array(StoredTrialResult), []),
});

/** Only the outcome's name: a site's note is free text and may name the patient. */
const LeadItem = z.object({
  leadId: z.string(),
  screeningId: z.string(),
  trialId: z.string(),
  siteId: z.string(),
  status: z.string(),
  createdAt: z.string(),
  outcomes: z._default(z.array(z.object({ outcome: z.string() })), []),
});

const SCREENING_FIELDS = ['screeningId', 'createdAt', 'outcome', 'results'] as const;
const LEAD_FIELDS = ['leadId', 'screeningId', 'trialId', 'siteId', 'status', 'createdAt', 'outcomes'] as const;

/** Scans the table for the funnel: screenings and leads, counts-only fields. */
export class FunnelRecordsRepository implements FunnelRecords {
  /** Items of each kind that did not read as the current shape (left out of the counts). */
  readonly unreadable = { screenings: 0, leads: 0 };

  constructor(private readonly table: TableRef) {}

  async *screenings(): AsyncIterable<FunnelScreening> {
    for await (const item of this.scan('SCREENING', SCREENING_FIELDS)) {
      const parsed = ScreeningItem.safeParse(item);
      if (!parsed.success) {
        this.unreadable.screenings += 1;
        continue;
      }
      const { screeningId, createdAt, outcome, results } = parsed.data;
      yield { screeningId, createdAt, outcome, trials: results.map(toFunnelTrialResult) };
    }
  }

  async *leads(): AsyncIterable<FunnelLead> {
    for await (const item of this.scan('LEAD', LEAD_FIELDS)) {
      const parsed = LeadItem.safeParse(item);
      if (!parsed.success) {
        this.unreadable.leads += 1;
        continue;
      }
      yield { ...parsed.data, outcomes: parsed.data.outcomes.map((entry) => entry.outcome) };
    }
  }

  private async *scan(entityType: EntityType, fields: readonly string[]): AsyncIterable<Record<string, unknown>> {
    const names = Object.fromEntries(fields.map((field, index) => [`#f${index}`, field]));
    const pages = paginateScan(
      { client: this.table.client },
      {
        TableName: this.table.tableName,
        FilterExpression: '#entityType = :entityType',
        ProjectionExpression: Object.keys(names).join(', '),
        ExpressionAttributeNames: { ...names, '#entityType': TABLE_ATTRIBUTES.entityType },
        ExpressionAttributeValues: { ':entityType': entityType },
      },
    );
    for await (const page of pages) yield* page.Items ?? [];
  }
}

function toFunnelTrialResult(result: z.infer<typeof StoredTrialResult>): FunnelTrialResult {
  return {
    trialId: result.trialId,
    siteId: result.nearestSite?.siteId ?? null,
    eligibility: result.eligibility,
    criteria: result.criteria.map(
      (criterion): FunnelCriterion => ({
        criterionId: criterion.id,
        kind: criterion.kind,
        text: criterion.text,
        result: criterion.result,
      }),
    ),
  };
}
