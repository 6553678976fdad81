/**
 * The registry sync's ports over ClinicalTrials.gov API v2 (`runRegistrySync`, the same as
 * `trials sync`) and the name of the catalog version a sync publishes.
 */
import { createHash } from 'node:crypto';
import type { Trial } from '#core/model';
import type { RegistryChanges } from '#core/ports';
import type { FetchStudiesOptions } from './ctgov-api';
import { runRegistrySync } from './sync';

/** Changes of the screeners' `conditions` (and of the catalog's own trials) in the registry at `apiUrl`. */
export function registryChanges(options: FetchStudiesOptions & { conditions: readonly string[] }): RegistryChanges {
  return {
    plan: async (current, since, newEntry) => {
      const { plan, failures } = await runRegistrySync({ ...options, current, ...(since && { since }), newEntry });
      return { plan, failures };
    },
  };
}

/** `registry-2026-12-01-<hash>`: the day it was made and a content hash, so equal catalogs share a name. */
export function registryCatalogVersion(trials: readonly Trial[], at: Date): string {
  const hash = createHash('sha256').update(JSON.stringify(trials)).digest('hex').slice(0, 10);
  return `registry-${at.toISOString().slice(0, 10)}-${hash}`;
}
