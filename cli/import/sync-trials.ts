/**
 * `trials sync` over the catalog files: fetches from the ClinicalTrials.gov API v2 (see
 * `functions/adapters/registry/sync.ts`), then rewrites `data/trials/<NCTID>.json` for every new,
 * updated or closed trial and records the sync's date in `data/registry-sync.json`, from which the
 * next sync is incremental. Authored criteria (`data/criteria/`) and confirmations are never
 * touched. A failed fetch writes nothing at all: every page is fetched before the first write.
 */
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TrialRecord } from '#adapters/catalog-files';
import type { FetchStudiesOptions } from '#adapters/registry/ctgov-api';
import { runRegistrySync, type RegistrySyncResult } from '#adapters/registry/sync';
import type { RegistryFacts } from '#core/registry-sync';
import * as z from '#core/zod';

/** `data/registry-sync.json`: what the last successful sync searched for, and when. */
export const SyncState = z.object({
  lastSyncedAt: z.iso.datetime(),
  conditions: z.array(z.string()),
});
export type SyncState = z.infer<typeof SyncState>;

export interface SyncFilesOptions extends FetchStudiesOptions {
  dataDir: string;
  /** Conditions to search; default: the last sync's, else the screeners' conditions. */
  conditions?: string[];
  term?: string;
  /** Ignore the last sync's date and fetch every open trial. */
  full?: boolean;
  dryRun: boolean;
  /** Screeners a new (draft) trial is screened by. */
  screenerIds: string[];
  now?: Date;
}

export interface SyncFilesResult extends RegistrySyncResult<TrialRecord> {
  since: string | undefined;
  conditions: string[];
  written: string[];
}

async function readState(dataDir: string): Promise<SyncState | undefined> {
  try {
    return SyncState.parse(JSON.parse(await readFile(join(dataDir, 'registry-sync.json'), 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(
      `data/registry-sync.json is not valid (${(error as Error).message}); fix or delete it (then the sync is a full one)`,
    );
  }
}

async function readTrialRecords(dataDir: string): Promise<TrialRecord[]> {
  const directory = join(dataDir, 'trials');
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const records: TrialRecord[] = [];
  for (const name of names) {
    const parsed = TrialRecord.safeParse(JSON.parse(await readFile(join(directory, name), 'utf8')));
    if (!parsed.success) throw new Error(`data/trials/${name} is not a valid trial record; run \`trial-screener catalog lint\``);
    records.push(parsed.data);
  }
  return records;
}

async function screenerConditions(dataDir: string): Promise<string[]> {
  const directory = join(dataDir, 'screeners');
  const names = (await readdir(directory).catch(() => [] as string[])).filter((name) => name.endsWith('.json'));
  const conditions: string[] = [];
  for (const name of names) {
    const condition = (JSON.parse(await readFile(join(directory, name), 'utf8')) as { condition?: unknown }).condition;
    if (typeof condition === 'string' && condition.trim()) conditions.push(condition.trim());
  }
  return conditions;
}

/** Writes a file whole or not at all (a crash mid-write leaves the old file). */
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/** Runs one sync over the files under `options.dataDir`; see the module comment. */
export async function syncCatalogFiles(options: SyncFilesOptions): Promise<SyncFilesResult> {
  const now = options.now ?? new Date();
  const state = await readState(options.dataDir);
  const conditions = options.conditions ?? state?.conditions ?? (await screenerConditions(options.dataDir));
  const since = options.full ? undefined : state?.lastSyncedAt.slice(0, 10);
  const current = await readTrialRecords(options.dataDir);
  const newEntry = (facts: RegistryFacts): TrialRecord =>
    TrialRecord.parse({ ...facts, screenerIds: options.screenerIds, review: { status: 'draft' } });

  const result = await runRegistrySync({ ...options, current, conditions, ...(since && { since }), newEntry });
  const written: string[] = [];
  if (!options.dryRun) {
    const directory = join(options.dataDir, 'trials');
    await mkdir(directory, { recursive: true });
    const byId = new Map(result.plan.entries.map((entry) => [entry.nctId, entry]));
    for (const change of result.plan.changes) {
      if (change.kind === 'unchanged') continue;
      const path = join(directory, `${change.nctId}.json`);
      await writeAtomically(path, `${JSON.stringify(TrialRecord.parse(byId.get(change.nctId)), null, 2)}\n`);
      written.push(path);
    }
    const nextState: SyncState = { lastSyncedAt: now.toISOString(), conditions };
    await writeAtomically(join(options.dataDir, 'registry-sync.json'), `${JSON.stringify(nextState, null, 2)}\n`);
  }
  return { ...result, since, conditions, written };
}
