/**
 * Registry sync: how freshly fetched ClinicalTrials.gov records change a catalog. Pure, so the
 * operator's `trials sync` (over the catalog files) and the scheduled sync function (over the
 * table's catalog) make exactly the same decisions.
 *
 * - A record already in the catalog has its registry facts replaced; what the operator owns is
 *   kept: authored criteria, screeners, review state and confirmations.
 * - A new record that is recruiting (or about to) comes in as a `draft`: structured criteria
 *   only, never offered until an operator approves it (`catalog review --approve`). A new record
 *   that is not recruiting is ignored: the catalog has no use for it.
 * - A trial that stops recruiting, or a site that does, is `closed`: the new catalog stops
 *   offering it at once, and its unsent leads are held (the caller does that).
 */
import type { Trial } from './model';

/** The registry's part of a trial: everything a sync may replace (not what is authored with the criteria). */
export type RegistryFacts = Omit<
  Trial,
  'criteria' | 'screenerIds' | 'review' | 'confirmations' | 'leftToStudyTeam' | 'plainSummary' | 'onSiteOnly'
>;

/** A catalog entry the sync merges into: a catalog file record or a catalog trial. */
export type CatalogEntry = RegistryFacts &
  Pick<Trial, 'screenerIds'> &
  Partial<Pick<Trial, 'criteria' | 'review' | 'confirmations'>>;

/** What happened to one trial. */
export type SyncChangeKind = 'new' | 'updated' | 'closed' | 'unchanged';

export interface SyncChange {
  nctId: string;
  kind: SyncChangeKind;
  /** Sites that were recruiting before and are not now (or are gone), for `updated` and `closed`. */
  closedSiteIds: string[];
}

export interface SyncPlan<T extends CatalogEntry> {
  /** The whole catalog after the sync, in NCT id order. */
  entries: T[];
  changes: SyncChange[];
  summary: { new: number; updated: number; closed: number; unchanged: number; closedSites: number };
}

/** Whether a registry status is worth bringing a new trial in for. */
const WORTH_A_DRAFT = new Set<Trial['status']>(['RECRUITING', 'NOT_YET_RECRUITING']);

/**
 * Merges fetched registry records into `current`.
 *
 * @param newEntry builds the catalog entry of a new trial from its registry facts (the caller
 *   adds what its catalog needs: screener ids, the draft review, empty criteria).
 */
export function planRegistrySync<T extends CatalogEntry>(
  current: readonly T[],
  fetched: readonly RegistryFacts[],
  newEntry: (facts: RegistryFacts) => T,
): SyncPlan<T> {
  const byId = new Map(current.map((entry) => [entry.nctId, entry]));
  const changes: SyncChange[] = [];
  const seen = new Set<string>();
  for (const facts of fetched) {
    // A trial can come back from two queries (its condition and the catalog's ids): once is enough.
    if (seen.has(facts.nctId)) continue;
    seen.add(facts.nctId);
    const existing = byId.get(facts.nctId);
    if (!existing) {
      if (!WORTH_A_DRAFT.has(facts.status)) continue;
      byId.set(facts.nctId, newEntry(facts));
      changes.push({ nctId: facts.nctId, kind: 'new', closedSiteIds: [] });
      continue;
    }
    const merged = { ...existing, ...facts } as T;
    const closedSiteIds = closedSites(existing, facts);
    const trialClosed = existing.status === 'RECRUITING' && facts.status !== 'RECRUITING';
    const kind: SyncChangeKind = trialClosed ? 'closed' : sameFacts(existing, facts) ? 'unchanged' : 'updated';
    byId.set(facts.nctId, merged);
    changes.push({ nctId: facts.nctId, kind, closedSiteIds });
  }
  const entries = [...byId.values()].sort((a, b) => a.nctId.localeCompare(b.nctId));
  const count = (kind: SyncChangeKind) => changes.filter((change) => change.kind === kind).length;
  return {
    entries,
    changes,
    summary: {
      new: count('new'),
      updated: count('updated'),
      closed: count('closed'),
      unchanged: count('unchanged'),
      closedSites: changes.reduce((n, change) => n + (change.kind === 'closed' ? 0 : change.closedSiteIds.length), 0),
    },
  };
}

/**
 * The (trial, site) pairs that closed in a sync: every site of a closed trial, and each closed
 * site of a trial still recruiting. Their unsent leads must be held.
 */
export function closedPairs(
  plan: Pick<SyncPlan<CatalogEntry>, 'changes'>,
): { trialId: string; siteId: string | undefined; reason: string }[] {
  const pairs: { trialId: string; siteId: string | undefined; reason: string }[] = [];
  for (const change of plan.changes) {
    if (change.kind === 'closed') {
      pairs.push({
        trialId: change.nctId,
        siteId: undefined,
        reason: `study ${change.nctId} has stopped recruiting (registry sync)`,
      });
    } else {
      for (const siteId of change.closedSiteIds) {
        pairs.push({
          trialId: change.nctId,
          siteId,
          reason: `site ${siteId} of ${change.nctId} has stopped recruiting (registry sync)`,
        });
      }
    }
  }
  return pairs;
}

function closedSites(existing: CatalogEntry, facts: RegistryFacts): string[] {
  const now = new Map(facts.sites.map((site) => [site.siteId, site]));
  return existing.sites
    .filter((site) => site.status === 'RECRUITING' && now.get(site.siteId)?.status !== 'RECRUITING')
    .map((site) => site.siteId);
}

/** Whether the registry facts are the same, ignoring which file they were read from. */
/**
 * The registry's part of a catalog trial: everything but what operators and authors add (criteria,
 * screeners, review, confirmations, what is left to the study team, plain summary, on-site flag).
 */
export function registryFactsOf(trial: Trial): RegistryFacts {
  const {
    criteria: _c,
    screenerIds: _s,
    review: _r,
    confirmations: _f,
    leftToStudyTeam: _l,
    plainSummary: _p,
    onSiteOnly: _o,
    ...facts
  } = trial;
  return facts;
}

function sameFacts(existing: CatalogEntry, facts: RegistryFacts): boolean {
  const registryPart = (entry: RegistryFacts): string => {
    const { source: _source, ...rest } = entry;
    return stableJson(rest);
  };
  const existingFacts = registryFactsOf(existing as Trial);
  return registryPart(existingFacts) === registryPart(facts);
}

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(
          Object.entries(inner as Record<string, unknown>)
            .filter(([, v]) => v !== undefined)
            .sort(([a], [b]) => a.localeCompare(b)),
        )
      : inner,
  );
}
