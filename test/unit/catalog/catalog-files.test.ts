/**
 * Reading the catalog files: trials merged with their authored criteria, validated, versioned by
 * content, and errors that name the file and the field.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CatalogFileError, readCatalogFiles } from '#adapters/catalog-files';

const DATA_DIR = new URL('../../../data/', import.meta.url).pathname;

/** A copy of the shipped catalog's screeners, trials and criteria in a scratch folder. */
function catalogCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'data');
  for (const folder of ['screeners', 'trials', 'criteria'])
    cpSync(join(DATA_DIR, folder), join(dir, folder), { recursive: true });
  return dir;
}
function edit(path: string, change: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  change(json);
  writeFileSync(path, JSON.stringify(json));
}
async function catalogIssues(dir: string): Promise<string[]> {
  try {
    await readCatalogFiles(dir);
  } catch (error) {
    if (error instanceof CatalogFileError) return error.issues.map((i) => `${i.file}: ${i.field}: ${i.message}`);
    throw error;
  }
  return [];
}

describe('readCatalogFiles', () => {
  it('merges each trial with its authored criteria', async () => {
    const { trials } = await readCatalogFiles(DATA_DIR);

    const acupressure = trials.find((t) => t.nctId === 'NCT03589703');
    expect(acupressure?.criteria.map((c) => c.id)).toContain('pain-at-least-3-months');
  });

  it('leaves authoring notes out of the loaded criteria', async () => {
    const { trials } = await readCatalogFiles(DATA_DIR);

    expect(trials.flatMap((t) => t.criteria).some((c) => 'note' in c)).toBe(false);
  });

  it('gives the same content the same version', async () => {
    const dir = catalogCopy();

    expect((await readCatalogFiles(dir)).catalogVersion).toBe((await readCatalogFiles(DATA_DIR)).catalogVersion);
  });

  it('gives a changed criterion a new version', async () => {
    const dir = catalogCopy();
    edit(join(dir, 'criteria', 'NCT03589703.json'), (json) => {
      (json.criteria as { text: string }[])[0]!.text = 'Your back pain has lasted at least 14 weeks.';
    });

    expect((await readCatalogFiles(dir)).catalogVersion).not.toBe((await readCatalogFiles(DATA_DIR)).catalogVersion);
  });

  it('names the file and field of an invalid trial record', async () => {
    const dir = catalogCopy();
    edit(join(dir, 'trials', 'NCT03589703.json'), (json) => {
      (json.eligibility as Record<string, unknown>).minAgeYears = '65';
    });

    expect(await catalogIssues(dir)).toEqual([
      'data/trials/NCT03589703.json: eligibility.minAgeYears: Invalid input: expected number, received string',
    ]);
  });

  it('names the file and field of an invalid criterion', async () => {
    const dir = catalogCopy();
    edit(join(dir, 'criteria', 'NCT03589703.json'), (json) => {
      (json.criteria as { kind: string }[])[1]!.kind = 'exclude';
    });

    expect(await catalogIssues(dir)).toEqual([
      expect.stringMatching(/^data\/criteria\/NCT03589703\.json: criteria\[1\]\.kind: /),
    ]);
  });

  it('reports a trial without authored criteria', async () => {
    const dir = catalogCopy();
    rmSync(join(dir, 'criteria', 'NCT03589703.json'));

    expect(await catalogIssues(dir)).toEqual([
      'data/criteria/NCT03589703.json: : missing: trial NCT03589703 has no authored screening criteria',
    ]);
  });

  it('reports criteria for a trial that is not in the catalog', async () => {
    const dir = catalogCopy();
    rmSync(join(dir, 'trials', 'NCT03589703.json'));

    expect(await catalogIssues(dir)).toEqual([
      'data/criteria/NCT03589703.json: : criteria for a trial that is not in data/trials/',
    ]);
  });
});
