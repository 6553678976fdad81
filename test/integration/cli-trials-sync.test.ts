/**
 * `trials sync` against a local replay of the ClinicalTrials.gov API v2, built from real records:
 * paged responses, a 429 and a 500 survived, a truncated page refused with nothing written, new
 * trials as drafts until `catalog review --approve`, closures reported, authored criteria kept.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { readCatalogSources } from '#adapters/catalog-files';
import { runCli } from '#test/setup/cli';
import { fixtureStudy, startReplayServer, type ReplayAnswer, type ReplayServer } from '#test/setup/ctgov-replay';

const DATA_DIR = new URL('../../data/', import.meta.url).pathname;
const CATALOG_TRIAL = 'NCT03281889';

/** A scratch catalog: the shipped screeners, plus NCT03281889 as a recruiting trial with authored criteria. */
async function scratchCatalog(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'sync-catalog-')), 'data');
  cpSync(join(DATA_DIR, 'screeners'), join(dir, 'screeners'), { recursive: true });
  const registry = mkdtempSync(join(tmpdir(), 'sync-registry-'));
  cpSync(new URL(`../fixtures/ctgov/${CATALOG_TRIAL}.json`, import.meta.url).pathname, join(registry, `${CATALOG_TRIAL}.json`));
  const imported = await runCli('trials', 'import', registry, '--data-dir', dir);
  expect(imported.exitCode).toBe(0);
  cpSync(join(DATA_DIR, 'criteria', 'README.md'), join(dir, 'criteria', 'README.md'));
  const criteria = {
    nctId: CATALOG_TRIAL,
    criteria: [
      {
        id: 'chronic',
        kind: 'inclusion',
        text: 'You have had back pain for at least 12 weeks',
        rule: { '>=': [{ var: 'pain_duration' }, 12] },
        registryText: 'back pain',
      },
    ],
  };
  const { writeFileSync, mkdirSync } = await import('node:fs');
  mkdirSync(join(dir, 'criteria'), { recursive: true });
  writeFileSync(join(dir, 'criteria', `${CATALOG_TRIAL}.json`), JSON.stringify(criteria, null, 2));
  return dir;
}

/** Every file under the catalog folder with its content, to prove nothing was written. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files[join(entry.parentPath, entry.name)] = readFileSync(join(entry.parentPath, entry.name), 'utf8');
  }
  return files;
}

const newTrial = fixtureStudy('NCT06171568', (study) => {
  study.protocolSection.statusModule.overallStatus = 'RECRUITING';
});
const completedElsewhere = fixtureStudy('NCT02552212');
const catalogTrialClosed = fixtureStudy(CATALOG_TRIAL, (study) => {
  study.protocolSection.statusModule.overallStatus = 'COMPLETED';
  study.protocolSection.statusModule.lastUpdatePostDateStruct = { date: '2026-11-20', type: 'ACTUAL' };
});

describe('trials sync', () => {
  let server: ReplayServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const serve = async (answers: { cond?: ReplayAnswer[]; ids?: ReplayAnswer[] }) => {
    server = await startReplayServer(answers);
    return server;
  };

  it('builds the catalog from paged API v2 answers, surviving a 429 and a 500', async () => {
    const dataDir = await scratchCatalog();
    const api = await serve({
      cond: [
        { status: 429, retryAfterSeconds: 0 },
        { page: [newTrial], nextPageToken: 'page-2', totalCount: 2 },
        { status: 500 },
        { page: [completedElsewhere] },
      ],
      ids: [{ page: [catalogTrialClosed] }],
    });
    const criteriaBefore = readFileSync(join(dataDir, 'criteria', `${CATALOG_TRIAL}.json`), 'utf8');

    const run = await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir, '--condition', 'low back pain');

    expect(run.stderr).toContain('retrying after HTTP 429');
    expect(run.stderr).toContain('retrying after HTTP 500');
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('1 new, 0 updated, 1 closed, 0 unchanged');
    expect(run.stdout).toContain('trials load');
    const draft = JSON.parse(readFileSync(join(dataDir, 'trials', 'NCT06171568.json'), 'utf8'));
    expect(draft).toMatchObject({ status: 'RECRUITING', review: { status: 'draft' }, recordDates: { verified: '2023-12' } });
    expect(JSON.parse(readFileSync(join(dataDir, 'trials', `${CATALOG_TRIAL}.json`), 'utf8')).status).toBe('COMPLETED');
    expect(readFileSync(join(dataDir, 'criteria', `${CATALOG_TRIAL}.json`), 'utf8')).toBe(criteriaBefore);
    // A completed trial the catalog never had is not brought in.
    expect(readdirSync(join(dataDir, 'trials'))).not.toContain('NCT02552212.json');
  });

  it("asks the API for open trials of the conditions, paged, then for the catalog's own ids", async () => {
    const dataDir = await scratchCatalog();
    const api = await serve({ cond: [{ page: [newTrial], nextPageToken: 'page-2' }, { page: [] }], ids: [{ page: [] }] });

    await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir, '--condition', 'low back pain', '--dry-run');

    const [first, second, ids] = api.requests;
    expect(first!.get('query.cond')).toBe('"low back pain"');
    expect(first!.get('filter.overallStatus')).toBe('RECRUITING,NOT_YET_RECRUITING');
    expect(first!.get('countTotal')).toBe('true');
    expect(first!.get('fields')).toBe('protocolSection');
    expect(first!.get('pageSize')).toBe('100');
    expect(second!.get('pageToken')).toBe('page-2');
    expect(ids!.get('filter.ids')).toBe(CATALOG_TRIAL);
  });

  it("syncs incrementally from the last sync's date", async () => {
    const dataDir = await scratchCatalog();
    await serve({ cond: [{ page: [] }], ids: [{ page: [] }] });
    await runCli('trials', 'sync', '--api-url', server!.url, '--data-dir', dataDir, '--condition', 'low back pain');
    await server!.close();
    const api = await serve({ cond: [{ page: [] }], ids: [{ page: [] }] });

    await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir);

    const today = new Date().toISOString().slice(0, 10);
    expect(api.requests[0]!.get('filter.advanced')).toBe(`AREA[LastUpdatePostDate]RANGE[${today},MAX]`);
    expect(api.requests[0]!.get('query.cond')).toBe('"low back pain"');
    expect(api.requests[0]!.has('filter.overallStatus')).toBe(false);
  });

  it('leaves the catalog unchanged when a page is truncated', async () => {
    const dataDir = await scratchCatalog();
    const before = snapshot(dataDir);
    const api = await serve({ cond: [{ page: [newTrial], nextPageToken: 'page-2' }, { truncated: [completedElsewhere] }] });

    const run = await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir, '--condition', 'low back pain');

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/page 2 .*(cut off|not complete JSON).*nothing was written/);
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('leaves the catalog unchanged when a page is not an API v2 page', async () => {
    const dataDir = await scratchCatalog();
    const before = snapshot(dataDir);
    const api = await serve({ cond: [{ page: [newTrial], nextPageToken: 'page-2' }, { raw: '{"items": []}' }] });

    const run = await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir, '--condition', 'low back pain');

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain('page 2 of the registry\'s answer has no "studies" list; nothing was written');
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('prints the normalised trials with their record dates in a dry run, and writes nothing', async () => {
    const dataDir = await scratchCatalog();
    const before = snapshot(dataDir);
    const api = await serve({ cond: [{ page: [newTrial] }], ids: [{ page: [] }] });

    const run = await runCli(
      'trials',
      'sync',
      '--api-url',
      api.url,
      '--data-dir',
      dataDir,
      '--condition',
      'low back pain',
      '--dry-run',
      '--json',
    );

    const output = JSON.parse(run.stdout);
    expect(output.summary).toMatchObject({ new: 1, updated: 0, closed: 0 });
    expect(output.trials[0]).toMatchObject({
      nctId: 'NCT06171568',
      recordDates: {
        lastUpdated: '2023-12-14',
        verified: '2023-12',
        primaryCompletion: '2025-02-01',
        primaryCompletionType: 'ANTICIPATED',
      },
    });
    expect(snapshot(dataDir)).toEqual(before);
  });

  it('keeps a new trial out of the offered catalog until an operator approves it', async () => {
    const dataDir = await scratchCatalog();
    const api = await serve({ cond: [{ page: [newTrial] }], ids: [{ page: [] }] });
    await runCli('trials', 'sync', '--api-url', api.url, '--data-dir', dataDir, '--condition', 'low back pain');

    const listed = await runCli('catalog', 'review', '--data-dir', dataDir);
    const approved = await runCli(
      'catalog',
      'review',
      'NCT06171568',
      '--approve',
      '--by',
      'Kari Reviewer',
      '--data-dir',
      dataDir,
    );

    expect(listed.stdout).toContain('NCT06171568');
    expect(listed.stdout).toContain('1 draft trial(s)');
    expect(approved.exitCode).toBe(0);
    const { trials } = await readCatalogSources(dataDir);
    const trial = trials.find((t) => t.trial.nctId === 'NCT06171568')!;
    expect(trial.trial.review).toMatchObject({ status: 'approved', by: 'Kari Reviewer' });
    expect(trial.trial.leftToStudyTeam.length).toBe(1);
  });
});
