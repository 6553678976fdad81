import { describe, expect, it } from '@jest/globals';
import { syncRegistry } from '#app/sync-registry';
import type { Trial } from '#core/model';
import { registryFactsOf, type RegistryFacts } from '#core/registry-sync';
import { aTrial, currentRecordDates } from '#test/factories/catalog';
import {
  catalogLeadsOf,
  fakeRegistry,
  inMemorySyncLog,
  publishingCatalogStore,
  recordingSyncMonitor,
} from '#test/factories/ports';

const NOW = new Date('2026-12-01T05:00:00Z');
const settings = { conditions: ['low back pain'], screenerIds: ['lower-back-pain'], maxRecordAgeDays: 365 };

function aSync(options: { catalog?: Trial[]; fetched?: RegistryFacts[] | Error; lastDay?: string; trialsWithLeads?: string[] }) {
  const catalogs = publishingCatalogStore(options.catalog ? { 'catalog-1': options.catalog } : {});
  const registry = fakeRegistry(options.fetched ?? []);
  const syncLog = inMemorySyncLog(options.lastDay);
  const leads = catalogLeadsOf(...(options.trialsWithLeads ?? []));
  const monitor = recordingSyncMonitor();
  const run = syncRegistry({ catalogs, registry, syncLog, leads, monitor, clock: () => NOW }, settings);
  return { run, catalogs, registry, syncLog, leads, monitor };
}

const recruiting = (overrides: Partial<Trial> = {}) =>
  aTrial({ status: 'RECRUITING', recordDates: currentRecordDates(NOW), ...overrides });

describe('syncRegistry', () => {
  it('publishes a recruiting trial new to the catalog as a draft screened by the configured screeners', async () => {
    const known = recruiting();
    const newcomer = recruiting();
    const { run, catalogs } = aSync({ catalog: [known], fetched: [registryFactsOf(newcomer)] });

    const result = await run();

    expect(result.published).toBe('published-1');
    const published = catalogs.published[0]!.trials.find((trial) => trial.nctId === newcomer.nctId);
    expect(published).toEqual(
      expect.objectContaining({ screenerIds: ['lower-back-pain'], criteria: [], review: { status: 'draft' } }),
    );
    expect(catalogs.published[0]!.trials.map((trial) => trial.nctId)).toContain(known.nctId);
  });

  it('publishes nothing when the registry reports no change, and still records the sync', async () => {
    const known = recruiting();
    const { run, catalogs, syncLog } = aSync({ catalog: [known], fetched: [registryFactsOf(known)] });

    expect((await run()).published).toBeUndefined();
    expect(catalogs.published).toEqual([]);
    expect(syncLog.recorded).toEqual(['2026-12-01T05:00:00.000Z low back pain']);
  });

  it('asks the registry only for what changed since the day of the last successful sync', async () => {
    const { run, registry } = aSync({ catalog: [recruiting()], lastDay: '2026-11-30' });

    await run();

    expect(registry.asked).toEqual(['2026-11-30']);
  });

  it('holds the unsent leads of what the new catalog no longer offers, against the new catalog', async () => {
    const closing = recruiting();
    const { run, leads } = aSync({ catalog: [closing], fetched: [{ ...registryFactsOf(closing), status: 'COMPLETED' }] });

    expect((await run()).summary.closed).toBe(1);
    expect(leads.holds).toEqual([[closing.nctId]]);
  });

  it('names the recruiting trials with leads whose records are no longer current', async () => {
    const stale = recruiting({ recordDates: { ...currentRecordDates(new Date('2024-01-15T00:00:00Z')) } });
    const fresh = recruiting();
    const withoutLeads = recruiting({ recordDates: stale.recordDates });
    const { run } = aSync({ catalog: [stale, fresh, withoutLeads], trialsWithLeads: [stale.nctId, fresh.nctId] });

    expect((await run()).staleTrialsWithLeads).toEqual([stale.nctId]);
  });

  it('builds the first catalog from the registry alone when none was ever loaded', async () => {
    const newcomer = recruiting();
    const { run, catalogs } = aSync({ fetched: [registryFactsOf(newcomer)] });

    await run();

    expect(catalogs.published[0]!.trials.map((trial) => trial.nctId)).toEqual([newcomer.nctId]);
  });

  it('publishes nothing, records no sync and rethrows when the registry cannot be read', async () => {
    const { run, catalogs, syncLog, monitor } = aSync({ catalog: [recruiting()], fetched: new Error('page truncated') });

    await expect(run()).rejects.toThrow('page truncated');
    expect(catalogs.published).toEqual([]);
    expect(syncLog.recorded).toEqual([]);
    expect(monitor.told).toEqual([{ failed: 'Error: page truncated' }]);
  });
});
