/**
 * The scheduled registry sync (the same `runRegistrySync` as `trials sync`): reads the catalog
 * in use, fetches what changed in the registry since the last successful run, and when anything
 * did, publishes the result as a new catalog version (trials first, pointer flip last, so readers
 * never see half of it). Then it holds the unsent leads of closed trials and sites, and counts the
 * trials that have leads but whose records are no longer current (the `StaleTrialsWithLeads`
 * alarm: someone must confirm them with the site or stop sending patients).
 *
 * A failed fetch publishes nothing, is counted (`RegistrySyncFailed`) and rethrown, so the
 * function's error alarm fires too.
 */
import { createHash } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { PreparedCatalog } from '#core/eligibility';
import { assessFreshness } from '#core/freshness';
import type { Trial } from '#core/model';
import type { RegistryFacts } from '#core/registry-sync';
import { CatalogRepository } from '#adapters/catalog-repository';
import { holdLeadsOfClosedSites } from '#adapters/closed-site-leads';
import type { TableRef } from '#adapters/dynamo';
import { logger } from '#adapters/logger';
import { OutboxRepository } from '#adapters/outbox-repository';
import type { FetchStudiesOptions } from '#adapters/registry/ctgov-api';
import { runRegistrySync } from '#adapters/registry/sync';
import { TABLE_ATTRIBUTES, itemKeys } from '#functions/table-schema';

/** Namespace and service of the sync's metrics; `lib/registry-sync-construct.ts` alarms on them. */
export const REGISTRY_SYNC_METRICS = { namespace: 'TrialScreener', service: 'registry-sync' } as const;

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

export interface RegistrySyncJobResult {
  published: string | undefined;
  summary: { new: number; updated: number; closed: number; unchanged: number; closedSites: number };
  heldLeads: number;
  staleTrialsWithLeads: string[];
  failures: number;
}

/** One run; see the module comment. */
export function createRegistrySyncJob(
  settings: RegistrySyncJobSettings,
  ports: RegistrySyncJobPorts,
): () => Promise<RegistrySyncJobResult> {
  const catalogs = new CatalogRepository(ports.table, { pointerTtlMs: 0 });
  const outbox = new OutboxRepository(ports.table);
  const metrics =
    ports.metrics ?? new Metrics({ namespace: REGISTRY_SYNC_METRICS.namespace, serviceName: REGISTRY_SYNC_METRICS.service });
  const now = ports.now ?? (() => new Date());

  return async () => {
    const startedAt = now();
    try {
      const current = await currentTrials(catalogs);
      const since = await lastSyncDay(ports.table);
      const newEntry = (facts: RegistryFacts): Trial => ({
        ...facts,
        screenerIds: settings.screenerIds,
        criteria: [],
        leftToStudyTeam: [],
        review: { status: 'draft' },
      });
      const { plan, failures } = await runRegistrySync({
        ...ports.fetchOptions,
        apiUrl: settings.apiUrl,
        current,
        conditions: settings.conditions,
        ...(since && { since }),
        newEntry,
      });
      const changed = plan.changes.some((change) => change.kind !== 'unchanged');
      let published: string | undefined;
      if (changed) {
        published = versionOf(plan.entries, startedAt);
        await catalogs.writeCatalog(published, plan.entries, startedAt);
      }
      const trials = changed ? plan.entries : current;
      const held = changed ? await holdLeadsOfClosedSites(outbox, trials, startedAt) : [];
      const staleTrialsWithLeads = await staleTrialsHavingLeads(outbox, trials, {
        maxRecordAgeDays: settings.maxRecordAgeDays,
        now: startedAt,
      });
      await recordSync(ports.table, startedAt, settings.conditions);

      metrics.addMetric('RegistrySyncSucceeded', MetricUnit.Count, 1);
      metrics.addMetric('TrialsNew', MetricUnit.Count, plan.summary.new);
      metrics.addMetric('TrialsClosed', MetricUnit.Count, plan.summary.closed);
      metrics.addMetric('LeadsHeldForClosedSites', MetricUnit.Count, held.length);
      metrics.addMetric('StaleTrialsWithLeads', MetricUnit.Count, staleTrialsWithLeads.length);
      metrics.addMetric('RegistryRecordsFailed', MetricUnit.Count, failures.length);
      logger.info('registry sync done', {
        since: since ?? 'full',
        published: published ?? 'unchanged',
        ...plan.summary,
        heldLeads: held.length,
        staleTrialsWithLeads,
        // Record-level problems name a field, never patient data (there is none in the registry).
        failures,
        durationMs: now().getTime() - startedAt.getTime(),
      });
      return { published, summary: plan.summary, heldLeads: held.length, staleTrialsWithLeads, failures: failures.length };
    } catch (error) {
      metrics.addMetric('RegistrySyncFailed', MetricUnit.Count, 1);
      logger.error('registry sync failed; nothing was published', { error: (error as Error).message });
      throw error;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

async function currentTrials(catalogs: CatalogRepository): Promise<Trial[]> {
  let catalog: PreparedCatalog;
  try {
    catalog = await catalogs.getCurrentCatalog();
  } catch (error) {
    // No catalog yet: the first sync builds one from the registry alone.
    if ((error as { code?: string }).code === 'CATALOG_NOT_LOADED') return [];
    throw error;
  }
  return catalog.trials.map((prepared) => prepared.trial);
}

async function lastSyncDay(table: TableRef): Promise<string | undefined> {
  const result = await table.client.send(
    new GetCommand({ TableName: table.tableName, Key: itemKeys.registrySync(), ConsistentRead: true }),
  );
  const at = result.Item?.lastSyncedAt;
  return typeof at === 'string' ? at.slice(0, 10) : undefined;
}

async function recordSync(table: TableRef, at: Date, conditions: string[]): Promise<void> {
  await table.client.send(
    new PutCommand({
      TableName: table.tableName,
      Item: {
        ...itemKeys.registrySync(),
        [TABLE_ATTRIBUTES.entityType]: 'REGISTRY_SYNC',
        lastSyncedAt: at.toISOString(),
        conditions,
      },
    }),
  );
}

/** `registry-2026-12-01-<hash>`: the day it was made and a content hash, so equal catalogs share a name. */
function versionOf(trials: readonly Trial[], at: Date): string {
  const hash = createHash('sha256').update(JSON.stringify(trials)).digest('hex').slice(0, 10);
  return `registry-${at.toISOString().slice(0, 10)}-${hash}`;
}

/**
 * Recruiting trials that patients have been referred to (a lead in any state: waiting, sent, or
 * failed) whose record is no longer current under the freshness rule: no new lead is made for
 * them, and the operator should confirm them with the site or let them go.
 */
async function staleTrialsHavingLeads(
  outbox: OutboxRepository,
  trials: readonly Trial[],
  policy: { maxRecordAgeDays: number; now: Date },
): Promise<string[]> {
  const withLeads = new Set<string>();
  for (const status of ['PENDING', 'SENDING', 'SENT', 'FAILED'] as const) {
    for await (const entry of outbox.allByStatus(status))
      if (entry.ref.kind === 'LEAD' && entry.trialId) withLeads.add(entry.trialId);
  }
  return trials
    .filter(
      (trial) =>
        withLeads.has(trial.nctId) && trial.status === 'RECRUITING' && !assessFreshness(trial, undefined, policy).current,
    )
    .map((trial) => trial.nctId)
    .sort();
}
