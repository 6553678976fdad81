/**
 * `trials import` as files on disk: one trial file per NCT id, re-import updates in place,
 * authored criteria are never touched, a malformed record fails alone, a dry run writes nothing.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { importRegistryFiles } from '#cli/import/import-trials';

const FIXTURES = new URL('../../fixtures/ctgov/', import.meta.url).pathname;

/** A scratch catalog folder and a registry folder holding copies of the named fixtures. */
function workspace(records: string[]): { dataDir: string; registry: string } {
  const root = mkdtempSync(join(tmpdir(), 'trials-import-'));
  const registry = join(root, 'registry');
  mkdirSync(registry);
  for (const record of records) copyFileSync(join(FIXTURES, record), join(registry, record));
  return { dataDir: join(root, 'data'), registry };
}

const options = (dataDir: string, overrides = {}) => ({ dataDir, dryRun: false, screenerIds: ['lower-back-pain'], ...overrides });
const trialFile = (dataDir: string, nctId: string) => JSON.parse(readFileSync(join(dataDir, 'trials', `${nctId}.json`), 'utf8'));

describe('importRegistryFiles', () => {
  it('writes one trial file per record, named by NCT id', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml', 'NCT02552212.json']);

    await importRegistryFiles([registry], options(dataDir));

    expect(readdirSync(join(dataDir, 'trials')).sort()).toEqual(['NCT02552212.json', 'NCT03589703.json']);
  });

  it('geocodes a US site without coordinates from its ZIP code', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);

    const [outcome] = await importRegistryFiles([registry], options(dataDir));

    expect(outcome?.trial?.sites[0]?.geo).toEqual({ lat: 39.3, lon: -76.58 });
  });

  it('locates a Norwegian site at its post town and leaves a Swedish one without a geo point', async () => {
    const { dataDir, registry } = workspace(['NCT03507049.xml']);

    const [outcome] = await importRegistryFiles([registry], options(dataDir));

    expect(outcome?.trial?.sites.map((s) => [s.country, s.geo])).toEqual([
      ['Norway', { lat: 59.91, lon: 10.75 }],
      ['Sweden', undefined],
    ]);
  });

  it('reports an unchanged re-import and writes no duplicate', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);
    await importRegistryFiles([registry], options(dataDir));

    const [again] = await importRegistryFiles([registry], options(dataDir));

    expect(again?.result).toBe('unchanged');
    expect(readdirSync(join(dataDir, 'trials'))).toEqual(['NCT03589703.json']);
  });

  it('updates the trial file when the record changed', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);
    await importRegistryFiles([registry], options(dataDir));
    const path = join(registry, 'NCT03589703.xml');
    writeFileSync(path, readFileSync(path, 'utf8').replace('<overall_status>Recruiting', '<overall_status>Completed'));

    const [updated] = await importRegistryFiles([registry], options(dataDir));

    expect(updated?.result).toBe('updated');
    expect(trialFile(dataDir, 'NCT03589703').status).toBe('COMPLETED');
  });

  it('never touches the authored criteria of a re-imported trial', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);
    await importRegistryFiles([registry], options(dataDir));
    mkdirSync(join(dataDir, 'criteria'));
    const criteria = '{"nctId":"NCT03589703","criteria":[]}\n';
    writeFileSync(join(dataDir, 'criteria', 'NCT03589703.json'), criteria);

    await importRegistryFiles([registry], options(dataDir));

    expect(readFileSync(join(dataDir, 'criteria', 'NCT03589703.json'), 'utf8')).toBe(criteria);
  });

  it("keeps an existing trial's screener ids on re-import", async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);
    await importRegistryFiles([registry], options(dataDir, { screenerIds: ['back-pain-65'] }));

    await importRegistryFiles([registry], options(dataDir, { screenerIds: ['lower-back-pain'] }));

    expect(trialFile(dataDir, 'NCT03589703').screenerIds).toEqual(['back-pain-65']);
  });

  it('fails a malformed record with its file and field while the others still import', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml', 'NCT03864224.xml']);
    const broken = join(registry, 'NCT03864224.xml');
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('<minimum_age>18 Years', '<minimum_age>adults'));

    const outcomes = await importRegistryFiles([registry], options(dataDir));

    expect(outcomes.map((o) => o.result)).toEqual(['created', 'failed']);
    expect(outcomes[1]?.error).toBe(
      `${broken}: eligibility.minimum_age: "adults" is not an age with a unit (Years, Months, Weeks, Days, Hours)`,
    );
    expect(readdirSync(join(dataDir, 'trials'))).toEqual(['NCT03589703.json']);
  });

  it('writes nothing in a dry run', async () => {
    const { dataDir, registry } = workspace(['NCT03589703.xml']);

    const [outcome] = await importRegistryFiles([registry], options(dataDir, { dryRun: true }));

    expect(outcome?.result).toBe('checked');
    expect(() => readdirSync(join(dataDir, 'trials'))).toThrow();
  });
});
