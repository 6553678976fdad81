/**
 * The operator CLI's catalog commands, run in-process through commander as `trial-screener`
 * would run them: import, lint, load into DynamoDB Local, and operator erasure.
 */
import { copyFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { connectTable, resolveTableTarget } from '#cli/context';
import { readCatalogFiles } from '#adapters/catalog-files';
import { CatalogRepository } from '#adapters/catalog-repository';
import { ScreenerRepository } from '#adapters/screener-repository';
import { ScreeningRepository } from '#adapters/screening-repository';
import { runCli } from '#test/setup/cli';
import { createTestTable, deleteTestTable } from '#test/setup/table';

const DATA_DIR = new URL('../../data/', import.meta.url).pathname;
const FIXTURES = new URL('../fixtures/ctgov/', import.meta.url).pathname;

/** Runs `trial-screener <args>` in this process and captures what it prints and its exit code. */
const cli = runCli;

function scratchRegistry(records: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-registry-'));
  for (const record of records) copyFileSync(join(FIXTURES, record), join(dir, record));
  return dir;
}
function scratchCatalog(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'cli-catalog-')), 'data');
  for (const folder of ['screeners', 'trials', 'criteria'])
    cpSync(join(DATA_DIR, folder), join(dir, folder), { recursive: true });
  return dir;
}

describe('trials import', () => {
  it('prints the normalised trials as JSON in a dry run and writes nothing', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cli-data-')), 'data');

    const run = await cli('trials', 'import', FIXTURES, '--dry-run', '--json', '--data-dir', dataDir);

    const output = JSON.parse(run.stdout) as { trials: Record<string, unknown>[]; failed: number };
    expect(run.exitCode).toBe(0);
    expect(output.failed).toBe(0);
    expect(output.trials.find((t) => t.nctId === 'NCT03589703')).toMatchObject({
      status: 'RECRUITING',
      eligibility: { minAgeYears: 65, maxAgeYears: null, sex: 'ALL', healthyVolunteers: false },
      sites: [
        {
          facility: 'Johns Hopkins Hospital',
          city: 'Baltimore',
          country: 'United States',
          status: 'RECRUITING',
          geo: { lat: 39.3, lon: -76.58 },
        },
        { status: 'NOT_YET_RECRUITING' },
      ],
      centralContact: { email: 'cyeh13@jhu.edu' },
    });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('imports every shared registry record', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cli-data-')), 'data');

    const run = await cli('trials', 'import', join(DATA_DIR, 'registry'), '--dry-run', '--data-dir', dataDir);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/19 checked, 0 failed \(dry run: nothing written\)/);
  });

  it('exits non-zero and names the file and field of a malformed record, importing the rest', async () => {
    const registry = scratchRegistry(['NCT03589703.xml', 'NCT03864224.xml']);
    const broken = join(registry, 'NCT03864224.xml');
    writeFileSync(broken, readFileSync(broken, 'utf8').replace('<nct_id>NCT03864224</nct_id>', ''));
    const dataDir = join(mkdtempSync(join(tmpdir(), 'cli-data-')), 'data');

    const run = await cli('trials', 'import', registry, '--data-dir', dataDir);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain(`failed: ${broken}: id_info.nct_id: missing`);
    expect(existsSync(join(dataDir, 'trials', 'NCT03589703.json'))).toBe(true);
  });
});

describe('catalog lint', () => {
  it('passes the shipped catalog', async () => {
    const run = await cli('catalog', 'lint');

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toMatch(/^catalog lint: 0 errors/m);
  });

  it('fails naming the trial, the criterion and the problem', async () => {
    const dataDir = scratchCatalog();
    const path = join(dataDir, 'criteria', 'NCT03924791.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"sciatica"', '"sciatic"'));

    const run = await cli('catalog', 'lint', '--data-dir', dataDir);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/error: NCT03924791 criterion "sciatica-diagnosed": .*has no option "sciatic"/);
  });

  it('fails naming the file and field of an invalid record', async () => {
    const dataDir = scratchCatalog();
    const path = join(dataDir, 'trials', 'NCT03589703.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"status": "RECRUITING"', '"status": "OPEN"'));

    const run = await cli('catalog', 'lint', '--data-dir', dataDir);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/error: NCT03589703: status: .* \(data\/trials\/NCT03589703\.json\)/);
  });
});

describe('against DynamoDB Local', () => {
  let tableName: string;
  const connection = () => ['--table', tableName, '--endpoint', process.env.AWS_ENDPOINT_URL_DYNAMODB!];
  const table = () => connectTable(resolveTableTarget({ table: tableName, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB! }));

  beforeAll(async () => {
    tableName = await createTestTable();
  });
  afterAll(async () => {
    await deleteTestTable(tableName);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('loads the catalog files as the current catalog version with their screeners', async () => {
    const files = await readCatalogFiles(DATA_DIR);

    const run = await cli('trials', 'load', ...connection(), '--json');

    expect(run.exitCode).toBe(0);
    const current = await new CatalogRepository(table()).getCurrentCatalog();
    expect(current.version).toBe(files.catalogVersion);
    expect(current.trials.map((t) => t.trial.nctId).sort()).toEqual(files.trials.map((t) => t.nctId).sort());
    expect(await new ScreenerRepository(table()).getScreener('lower-back-pain')).toBeDefined();
  });

  it('refuses to load a catalog that fails lint', async () => {
    const dataDir = scratchCatalog();
    const path = join(dataDir, 'criteria', 'NCT03924791.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"pain_duration"', '"weeks_of_pain"'));

    const run = await cli('trials', 'load', ...connection(), '--data-dir', dataDir);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toMatch(/lint errors/);
  });

  it("erases a patient's screening on the operator's request", async () => {
    const screenings = new ScreeningRepository(table());
    const { screening } = await screenings.createScreening(
      {
        screenerId: 'lower-back-pain',
        screenerVersion: '1',
        catalogVersion: 'v1',
        maxRecordAgeDays: 365,
        answers: { age: 40 },
        outcome: 'no_matches',
        redFlags: [],
        results: [],
      },
      'a-token-the-patient-lost',
    );

    const run = await cli('screenings', 'erase', screening.screeningId, ...connection());

    expect(run.exitCode).toBe(0);
    await expect(screenings.authorizeScreening(screening.screeningId, 'a-token-the-patient-lost')).rejects.toThrow();
  });

  it('exits non-zero when there is no such screening', async () => {
    const run = await cli('screenings', 'erase', 'no-such-screening', ...connection());

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toMatch(/no screening no-such-screening/);
  });
});

describe('trials list and show', () => {
  it('lists each trial with its status and record date', async () => {
    const run = await cli('trials', 'list', '--json');

    const listed = JSON.parse(run.stdout) as { nctId: string; status: string; recordDate: string }[];
    expect(listed.find((t) => t.nctId === 'NCT03589703')).toMatchObject({ status: 'RECRUITING', recordDate: '2020-03-11' });
  });

  it("shows a trial's record date next to its status", async () => {
    const run = await cli('trials', 'show', 'NCT03589703');

    expect(run.stdout).toContain('status: RECRUITING (registry record as of 2020-03-11');
  });

  it('exits non-zero for a trial that is not in the catalog', async () => {
    const run = await cli('trials', 'show', 'NCT99999999');

    expect(run.exitCode).toBe(1);
  });
});
