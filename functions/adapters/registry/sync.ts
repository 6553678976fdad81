/**
 * One registry sync, the same for `trials sync` (catalog files) and the scheduled sync function
 * (the table's catalog): fetch everything first, normalise, then plan the merge. Nothing is
 * written here; a page that fails leaves the caller with an error and its catalog untouched.
 *
 * Two searches, both incremental from `since` when given:
 * 1. the screeners' conditions: new trials (on the first, full sync only recruiting or soon
 *    recruiting ones; later every update, so closures come through too);
 * 2. the catalog's own NCT ids: a trial imported by hand may not match the condition search, and
 *    its closure must still be seen.
 */
import { planRegistrySync, type CatalogEntry, type RegistryFacts, type SyncPlan } from '#core/registry-sync';
import { fetchStudies, type FetchStudiesOptions } from './ctgov-api';
import { parseCtgovV2Study } from './ctgov-v2';
import { RegistryRecordError } from './normalise';

export interface RegistrySyncOptions<T extends CatalogEntry> extends FetchStudiesOptions {
  current: readonly T[];
  conditions: readonly string[];
  term?: string;
  /** ISO day of the last successful sync; absent for a full sync. */
  since?: string;
  /** The catalog entry of a new trial (a draft). */
  newEntry: (facts: RegistryFacts) => T;
}

export interface RegistrySyncResult<T extends CatalogEntry> {
  plan: SyncPlan<T>;
  /** Every record fetched, normalised (what `--dry-run --json` prints). */
  fetched: RegistryFacts[];
  /** Records that could not be normalised: skipped (the catalog keeps its version), reported. */
  failures: string[];
}

/** Statuses worth a new draft on a full sync (the API's `filter.overallStatus` values). */
const OPEN_STATUSES = ['RECRUITING', 'NOT_YET_RECRUITING'];

/** Fetches, normalises and plans; see the module comment. */
export async function runRegistrySync<T extends CatalogEntry>(options: RegistrySyncOptions<T>): Promise<RegistrySyncResult<T>> {
  const { current, conditions, term, since, newEntry, ...fetchOptions } = options;
  if (conditions.length === 0 && !term) throw new Error('a registry sync needs at least one condition or term to search for');
  const raw = await fetchStudies(
    {
      conditions,
      ...(term && { term }),
      ...(since ? { updatedSince: since } : { statuses: OPEN_STATUSES }),
    },
    fetchOptions,
  );
  const ids = current.map((entry) => entry.nctId);
  if (ids.length > 0) raw.push(...(await fetchStudies({ ids, ...(since && { updatedSince: since }) }, fetchOptions)));

  const fetched: RegistryFacts[] = [];
  const failures: string[] = [];
  raw.forEach((study, index) => {
    try {
      const { trial } = parseCtgovV2Study(study, `studies[${index}]`);
      fetched.push({ ...trial, source: { format: 'ctgov-v2-json', file: 'ClinicalTrials.gov API v2' } });
    } catch (error) {
      if (!(error instanceof RegistryRecordError)) throw error;
      failures.push(error.message);
    }
  });
  return { plan: planRegistrySync(current, fetched, newEntry), fetched, failures };
}
