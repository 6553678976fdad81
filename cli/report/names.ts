/**
 * Trial titles and site names for the report, from the catalog (registry data, not patient data).
 * A trial or site the current catalog no longer holds is shown by its id.
 */
import type { Trial } from '#core/model';

export interface FunnelNames {
  trialTitle(trialId: string): string | undefined;
  /** "Facility, City" of a trial's site; "no site in reach" for `null`. */
  siteName(trialId: string, siteId: string | null): string;
}

export const NO_SITE_LABEL = 'no site in reach';

/** Names from the catalog's trials (an empty list shows ids only). */
export function funnelNames(trials: readonly Pick<Trial, 'nctId' | 'title' | 'sites'>[]): FunnelNames {
  const byId = new Map(trials.map((trial) => [trial.nctId, trial]));
  return {
    trialTitle: (trialId) => byId.get(trialId)?.title,
    siteName(trialId, siteId) {
      if (siteId === null) return NO_SITE_LABEL;
      const site = byId.get(trialId)?.sites.find((candidate) => candidate.siteId === siteId);
      return site ? [site.facility, site.city].filter(Boolean).join(', ') : siteId;
    },
  };
}
