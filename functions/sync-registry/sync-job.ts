/**
 * The scheduled registry sync's wiring: the sync-registry use case (`functions/app/sync-registry.ts`)
 * over the table's catalog, its sync record and the outbox's leads, the ClinicalTrials.gov API v2,
 * and the sync's metrics and log lines.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import { type RegistrySyncResult, syncRegistry } from '#app/sync-registry';
import { CatalogRepository } from '#adapters/catalog-repository';
import { catalogLeads } from '#adapters/closed-site-leads';
import type { TableRef } from '#adapters/dynamo';
import { logger } from '#adapters/logger';
import { OutboxIndex } from '#adapters/outbox-repository';
import type { FetchStudiesOptions } from '#adapters/registry/ctgov-api';
import { registryCatalogVersion, registryChanges } from '#adapters/registry/registry-changes';
import { REGISTRY_SYNC_METRICS, registrySyncMonitor } from '#adapters/registry-sync-monitor';
import { RegistrySyncLogRepository } from '#adapters/registry-sync-log';

export { REGISTRY_SYNC_METRICS } from '#adapters/registry-sync-monitor';
export type { RegistrySyncResult as RegistrySyncJobResult } from '#app/sync-registry';

export interface RegistrySyncJobSettings {
  apiUrl: string;
  conditions: string[];
  screenerIds: string[];
  maxRecordAgeDays: number;
}

export interface RegistrySyncJobPorts {
  table: TableRef;
  now?: () => Date;
  metrics?: Metrics;
  /** Passed to the API client (tests: a fast sleep). */
  fetchOptions?: Omit<FetchStudiesOptions, 'apiUrl'>;
}

/** One run; see `functions/app/sync-registry.ts`. */
export function createRegistrySyncJob(
  settings: RegistrySyncJobSettings,
  ports: RegistrySyncJobPorts,
): () => Promise<RegistrySyncResult> {
  const catalogs = new CatalogRepository(ports.table, { pointerTtlMs: 0 });
  const metrics =
    ports.metrics ?? new Metrics({ namespace: REGISTRY_SYNC_METRICS.namespace, serviceName: REGISTRY_SYNC_METRICS.service });
  return syncRegistry(
    {
      catalogs: {
        getCurrentCatalog: () => catalogs.getCurrentCatalog(),
        writeCatalog: (version, trials, now) => catalogs.writeCatalog(version, trials, now),
        versionOf: registryCatalogVersion,
      },
      registry: registryChanges({ ...ports.fetchOptions, apiUrl: settings.apiUrl, conditions: settings.conditions }),
      syncLog: new RegistrySyncLogRepository(ports.table),
      leads: catalogLeads(new OutboxIndex(ports.table)),
      monitor: registrySyncMonitor(metrics, logger),
      clock: ports.now ?? (() => new Date()),
    },
    { conditions: settings.conditions, screenerIds: settings.screenerIds, maxRecordAgeDays: settings.maxRecordAgeDays },
  );
}
