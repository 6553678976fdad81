/**
 * The funnel's records (`core/funnel.ts`) read from the table: Screening and Lead items, by a
 * scan filtered on `entityType` (the report is an operator's occasional read of the whole table;
 * no index holds screenings by date). The projection names only the fields the funnel counts,
 * so a screening's answers and a lead's contact, consent and answers never leave the table; the
 * site's notes on outcomes are dropped as soon as they are read. A screening's results are stored
 * by id and value; they are decoded against their catalog version, as the screening repository does. Every item is read with a zod reader;
 * an item that does not read is counted in `unreadable`, never guessed at.
 */
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type { FunnelLead, FunnelRecords, FunnelScreening, FunnelTrialResult } from '#core/funnel';
import type { TrialResult } from '#core/model';
import type { CatalogStore } from '#core/ports';
import { presentStoredResults } from '#core/stored-results';
import * as z from '#core/zod';
import { TABLE_ATTRIBUTES, type EntityType } from '#functions/table-schema';
import { CatalogRepository } from './catalog-repository';
import type { TableRef } from './dynamo';
import { ScreeningItem, StoredResults, parseJson } from './screening-repository';
import { StoredOutcome } from './site-lead-repository';

/**
 * The screening's own fields the funnel needs, picked from the Screening item's reader; its
 * results are by id and value (`core/stored-results.ts`).
 */
const FunnelScreeningItem = z.pick(ScreeningItem, {
  screeningId: true,
  createdAt: true,
  outcome: true,
  catalogVersion: true,
  maxRecordAgeDays: true,
  results: true,
});

/**
 * The lead's fields the funnel needs, with the outcome history read by the site's own reader
 * (`StoredOutcome`) and only the outcome names kept: a site's note may name the patient.
 */
const FunnelLeadItem = z.object({
  leadId: z.string(),
  screeningId: z.string(),
  trialId: z.string(),
  siteId: z.string(),
  status: z.string(),
  createdAt: z.string(),
  outcomes: z._default(z.array(z.pick(StoredOutcome, { outcome: true })), []),
});

const SCREENING_FIELDS = Object.keys(FunnelScreeningItem.shape);
const LEAD_FIELDS = Object.keys(FunnelLeadItem.shape);

/** Scans the table for the funnel: screenings and leads, counts-only fields. */
export class FunnelRecordsRepository implements FunnelRecords {
  /** Items of each kind that did not read as the current shape (left out of the counts). */
  readonly unreadable = { screenings: 0, leads: 0 };

  private readonly catalogs: CatalogStore;

  /** `catalogs`: where the screenings' catalog versions are read (their criteria, in order). */
  constructor(
    private readonly table: TableRef,
    catalogs?: CatalogStore,
  ) {
    this.catalogs = catalogs ?? new CatalogRepository(table);
  }

  async *screenings(): AsyncIterable<FunnelScreening> {
    for await (const item of this.scan('SCREENING', SCREENING_FIELDS)) {
      const screening = await this.readScreening(item);
      if (screening) yield screening;
      else this.unreadable.screenings += 1;
    }
  }

  async *leads(): AsyncIterable<FunnelLead> {
    for await (const item of this.scan('LEAD', LEAD_FIELDS)) {
      const parsed = FunnelLeadItem.safeParse(item);
      if (!parsed.success) {
        this.unreadable.leads += 1;
        continue;
      }
      yield { ...parsed.data, outcomes: parsed.data.outcomes.map((entry) => entry.outcome) };
    }
  }

  /**
   * A stored screening with its results decoded against the catalog version it was evaluated
   * against (the repository's own reader and `presentStoredResults`); undefined when it does not read.
   */
  private async readScreening(item: Record<string, unknown>): Promise<FunnelScreening | undefined> {
    const parsed = FunnelScreeningItem.safeParse(item);
    if (!parsed.success) return undefined;
    const { screeningId, createdAt, outcome, catalogVersion, maxRecordAgeDays, results } = parsed.data;
    const stored = StoredResults.safeParse(parseJson(results));
    if (!stored.success) return undefined;
    if (stored.data.length === 0) return { screeningId, createdAt, outcome, trials: [] };
    const catalog = await this.catalogs.getCatalogVersion(catalogVersion);
    if (!catalog) return undefined;
    const policy = { maxRecordAgeDays, now: new Date(createdAt) };
    return {
      screeningId,
      createdAt,
      outcome,
      trials: presentStoredResults(stored.data, catalog, policy).map(toFunnelTrialResult),
    };
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

function toFunnelTrialResult(result: TrialResult): FunnelTrialResult {
  return {
    trialId: result.trialId,
    siteId: result.nearestSite?.siteId ?? null,
    eligibility: result.eligibility,
    criteria: result.criteria.map((criterion) => ({
      criterionId: criterion.id,
      kind: criterion.kind,
      text: criterion.text,
      result: criterion.result,
    })),
  };
}
