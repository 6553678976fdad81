/**
 * A screening's per-trial results as the table stores them: only what the patient's answers
 * decided, by id and value. Each trial is its id, one digit per criterion (the rule's
 * `OutcomeCode`: 0 not met, 1 met, 2 unknown, in the catalog version's criterion order) and its
 * nearest site (its position among the trial's recruiting sites, how it relates to the travel limit, the
 * distance as shown). Texts, titles, site addresses, the record's freshness and whom to contact
 * come back from the catalog version the screening was evaluated against, through the same
 * `presentTrialResult` that built them, so a stored screening shows exactly what it showed.
 *
 * Why: the full results (every criterion's text for every trial) made a screening item about
 * 27 KB, billed as 56 write units per screening and 80 per referral; this form is a few hundred
 * bytes for the typical patient.
 */
import { MET, NOT_MET, UNKNOWN, type OutcomeCode } from './compile-rule';
import { presentTrialResult, type PreparedCatalog, type PreparedTrial } from './eligibility';
import type { FreshnessPolicy } from './freshness';
import { summarizeSite } from './geo';
import type { CriterionEvaluation, CriterionResult, Eligibility, SiteReach, SiteSummary, TrialResult } from './model';

/** `[trialId, criterion codes, nearest site]`: one trial's decisions. */
export type StoredTrialResult = [trialId: string, criteria: string, site: StoredSite | null];

/** `[index among the trial's recruiting sites, reach, km, miles]` (the distance only when known). */
export type StoredSite = [siteIndex: number, reach: StoredReach, distanceKm?: number, distanceMiles?: number];

/** `w` within the travel limit, `a` any distance, `u` distance unknown, `-` not recorded. */
export type StoredReach = 'w' | 'a' | 'u' | '-';

const REACH_CODES: Record<SiteReach, StoredReach> = { within_distance: 'w', any_distance: 'a', distance_unknown: 'u' };
const REACHES: Record<StoredReach, SiteReach | undefined> = {
  w: 'within_distance',
  a: 'any_distance',
  u: 'distance_unknown',
  '-': undefined,
};
const RESULT_CODES: Record<CriterionResult, OutcomeCode> = { not_met: NOT_MET, met: MET, unknown: UNKNOWN };

/** A result that cannot be stored by id and value (its trial or site is not in the catalog version). */
export class UnstorableResultError extends Error {
  constructor(trialId: string, why: string) {
    super(`The result of ${trialId} cannot be stored by reference: ${why}`);
    this.name = 'UnstorableResultError';
  }
}

/**
 * The stored form of a screening's results, evaluated against `catalog`.
 *
 * @throws UnstorableResultError when a result does not come from `catalog` (never for results
 *   `evaluateScreening` built from it): storing it by reference would lose it.
 */
export function storeResults(results: readonly TrialResult[], catalog: PreparedCatalog): StoredTrialResult[] {
  return results.map((result) => {
    const prepared = catalog.byId.get(result.trialId);
    if (!prepared) throw new UnstorableResultError(result.trialId, `the trial is not in catalog ${catalog.version}`);
    if (
      prepared.criteria.length !== result.criteria.length ||
      prepared.criteria.some((criterion, index) => criterion.id !== result.criteria[index]?.id)
    ) {
      throw new UnstorableResultError(result.trialId, `its criteria are not those of catalog ${catalog.version}`);
    }
    const codes = result.criteria.map((criterion) => RESULT_CODES[criterion.result]).join('');
    return [result.trialId, codes, storeSite(prepared, result)];
  });
}

function storeSite(prepared: PreparedTrial, result: TrialResult): StoredSite | null {
  const site = result.nearestSite;
  if (site === null) return null;
  const index = prepared.sites.findIndex((candidate) => candidate.site.siteId === site.siteId);
  if (index < 0) throw new UnstorableResultError(result.trialId, `site ${site.siteId} is not one of its recruiting sites`);
  const reach = site.reach === undefined ? '-' : REACH_CODES[site.reach];
  return site.distanceKm === undefined || site.distanceMiles === undefined
    ? [index, reach]
    : [index, reach, site.distanceKm, site.distanceMiles];
}

/**
 * The results as they were shown, from their stored form and the catalog version they were
 * evaluated against. `policy.now` is the screening's own time, so a record's freshness reads as
 * it did then. A trial the catalog version no longer holds is left out (catalog versions are
 * kept, so this only happens when an operator removed one by hand).
 */
export function presentStoredResults(
  stored: readonly StoredTrialResult[],
  catalog: PreparedCatalog,
  policy: FreshnessPolicy,
): TrialResult[] {
  return stored.flatMap(([trialId, codes, site]) => {
    const prepared = catalog.byId.get(trialId);
    if (!prepared || prepared.criteria.length !== codes.length) return [];
    const criteria: CriterionEvaluation[] = [];
    for (let index = 0; index < codes.length; index++) {
      const code = Number(codes[index]) as OutcomeCode;
      criteria.push(prepared.outcomes[index * 3 + code]!);
    }
    return [presentTrialResult(prepared, { eligibility: eligibilityOf(codes), criteria }, presentSite(prepared, site), policy)];
  });
}

function eligibilityOf(codes: string): Eligibility {
  if (codes.includes(String(NOT_MET))) return 'ineligible';
  return codes.includes(String(UNKNOWN)) ? 'possibly_eligible' : 'eligible';
}

function presentSite(prepared: PreparedTrial, stored: StoredSite | null): SiteSummary | null {
  if (stored === null) return null;
  const [index, reach, distanceKm, distanceMiles] = stored;
  const recruiting = prepared.sites[index];
  if (!recruiting) return null;
  const distance = distanceKm === undefined || distanceMiles === undefined ? undefined : { km: distanceKm, miles: distanceMiles };
  return summarizeSite(recruiting, REACHES[reach], distance);
}
