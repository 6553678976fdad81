/**
 * Sync the registry: read the catalog in use, plan what changed in ClinicalTrials.gov since the
 * last successful run, and when anything did, publish the result as a new catalog version. Then
 * hold the unsent leads of closed trials and sites, and name the trials that have leads but whose
 * records are no longer current (someone must confirm them with the site or stop sending
 * patients). A trial new to the catalog comes in as a draft, screened by the configured screeners
 * once reviewed.
 *
 * A failed fetch publishes nothing and is rethrown, so the scheduled run's error alarm fires.
 */
import { DomainError } from '#core/errors';
import { assessFreshness } from '#core/freshness';
import type { Trial } from '#core/model';
import type {
  CatalogLeads,
  CatalogPublisher,
  CatalogStore,
  Clock,
  RegistryChanges,
  RegistrySyncLog,
  RegistrySyncMonitor,
} from '#core/ports';
import type { RegistryFacts, SyncPlan } from '#core/registry-sync';

export interface SyncRegistryPorts {
  catalogs: Pick<CatalogStore, 'getCurrentCatalog'> & CatalogPublisher;
  registry: RegistryChanges;
  syncLog: RegistrySyncLog;
  leads: CatalogLeads;
  monitor: RegistrySyncMonitor;
  clock: Clock;
}

export interface SyncRegistrySettings {
  conditions: string[];
  /** The screeners a trial new from the sync is screened by. */
  screenerIds: string[];
  /** The freshness rule's setting: older records are not current. */
  maxRecordAgeDays: number;
}

export interface RegistrySyncResult {
  published: string | undefined;
  summary: SyncPlan<Trial>['summary'];
  heldLeads: number;
  staleTrialsWithLeads: string[];
  failures: number;
}

export function syncRegistry(ports: SyncRegistryPorts, settings: SyncRegistrySettings) {
  const newEntry = (facts: RegistryFacts): Trial => ({
    ...facts,
    screenerIds: settings.screenerIds,
    criteria: [],
    leftToStudyTeam: [],
    review: { status: 'draft' },
  });

  return async (): Promise<RegistrySyncResult> => {
    const startedAt = ports.clock();
    try {
      const current = await currentTrials(ports.catalogs);
      const since = await ports.syncLog.lastSyncDay();
      const { plan, failures } = await ports.registry.plan(current, since, newEntry);
      const changed = plan.changes.some((change) => change.kind !== 'unchanged');
      const published = changed ? ports.catalogs.versionOf(plan.entries, startedAt) : undefined;
      if (published) await ports.catalogs.writeCatalog(published, plan.entries, startedAt);
      const trials = changed ? plan.entries : current;
      const heldLeads = changed ? await ports.leads.holdLeadsOfClosedSites(trials, startedAt) : 0;
      const withLeads = await ports.leads.trialsWithLeads();
      const policy = { maxRecordAgeDays: settings.maxRecordAgeDays, now: startedAt };
      const staleTrialsWithLeads = trials
        .filter((trial) => withLeads.has(trial.nctId) && trial.status === 'RECRUITING')
        .filter((trial) => !assessFreshness(trial, undefined, policy).current)
        .map((trial) => trial.nctId)
        .sort();
      await ports.syncLog.recordSync(startedAt, settings.conditions);
      const durationMs = ports.clock().getTime() - startedAt.getTime();
      ports.monitor.synced({ since, published, summary: plan.summary, heldLeads, staleTrialsWithLeads, failures, durationMs });
      return { published, summary: plan.summary, heldLeads, staleTrialsWithLeads, failures: failures.length };
    } catch (error) {
      ports.monitor.failed(error);
      throw error;
    }
  };
}

/** The trials of the catalog in use; none before the first catalog (the first sync builds one). */
async function currentTrials(catalogs: Pick<CatalogStore, 'getCurrentCatalog'>): Promise<Trial[]> {
  try {
    return (await catalogs.getCurrentCatalog()).trials.map((prepared) => prepared.trial);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'CATALOG_NOT_LOADED') return [];
    throw error;
  }
}
