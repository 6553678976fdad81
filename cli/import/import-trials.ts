/**
 * `trials import`: reads ClinicalTrials.gov records (v2 JSON or classic XML, files or folders),
 * normalises them, geocodes US and Canadian sites that lack coordinates, and writes one
 * `data/trials/<NCTID>.json` per trial. A re-import rewrites that file (never a duplicate) and
 * never touches `data/criteria/`, where the reviewed screening criteria live.
 */
import { readdir, readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { TrialRecord } from '#adapters/catalog-files';
import { geocodePostalCode } from '#adapters/postal-geocoder';
import type { GeoPoint } from '#core/model';
import { parseCtgovClassic } from './ctgov-classic';
import { parseCtgovV2Study, studiesOf } from '#adapters/registry/ctgov-v2';
import { GEOCODABLE_COUNTRIES, RegistryRecordError } from '#adapters/registry/normalise';
import type { ParsedRecord } from '#adapters/registry/registry-trial';

const RECORD_EXTENSIONS = new Set(['.json', '.xml']);

/** One record's outcome. `failed` carries a message naming the file and the field. */
export interface RecordOutcome {
  file: string;
  nctId?: string;
  result: 'created' | 'updated' | 'unchanged' | 'checked' | 'failed';
  error?: string;
  warnings: string[];
  /** The normalised trial as written (or as it would be written, in a dry run). */
  trial?: TrialRecord;
}

export interface ImportOptions {
  /** The folder holding `trials/` (and `criteria/`, which is never written). */
  dataDir: string;
  /** Parse, validate and report, but write nothing. */
  dryRun: boolean;
  /** Screeners a newly imported trial is screened by; an existing file keeps its own. */
  screenerIds: string[];
  geocode?: (countryIso2: string, postalCode: string) => Promise<GeoPoint | undefined>;
  /** Called once the files are known and after each file, for a progress bar. */
  onProgress?: (done: number, total: number) => void;
}

/** Record files named directly or found (non-recursively, sorted) in the named folders. */
export async function collectRecordFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      const names = (await readdir(path)).filter((n) => RECORD_EXTENSIONS.has(extname(n).toLowerCase())).sort();
      files.push(...names.map((n) => join(path, n)));
    } else {
      files.push(path);
    }
  }
  return files;
}

/**
 * Parses every record in one file, detecting the format from its content. One failing study of a
 * multi-study page does not stop the others.
 */
export function parseRegistryFile(content: string): (ParsedRecord | RegistryRecordError)[] {
  const trimmed = content.trimStart().replace(/^\uFEFF/, '');
  if (trimmed.startsWith('<')) {
    try {
      return [parseCtgovClassic(trimmed)];
    } catch (error) {
      return [asRecordError(error)];
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(trimmed);
  } catch (error) {
    return [new RegistryRecordError('(file)', `neither XML nor valid JSON: ${(error as Error).message}`)];
  }
  const studies = studiesOf(document);
  return studies.map((study, index) => {
    try {
      return parseCtgovV2Study(study, studies.length > 1 || study !== document ? `studies[${index}]` : '');
    } catch (error) {
      return asRecordError(error);
    }
  });
}

function asRecordError(error: unknown): RegistryRecordError {
  if (error instanceof RegistryRecordError) return error;
  throw error;
}

/** Fills in coordinates for sites in countries with a postal-code dataset. */
async function geocodeSites(
  trial: ParsedRecord['trial'],
  geocode: NonNullable<ImportOptions['geocode']>,
  warnings: string[],
): Promise<void> {
  for (const [index, site] of trial.sites.entries()) {
    const country = GEOCODABLE_COUNTRIES[site.country];
    if (site.geo || !country || !site.postalCode) continue;
    const geo = await geocode(country, site.postalCode);
    if (geo) site.geo = geo;
    else warnings.push(`sites[${index}].postalCode: "${site.postalCode}" not found in the ${site.country} postal dataset`);
  }
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');

async function readExisting(path: string): Promise<{ text: string; screenerIds?: string[] } | undefined> {
  try {
    const text = await readFile(path, 'utf8');
    const parsed = TrialRecord.safeParse(JSON.parse(text));
    return { text, ...(parsed.success && { screenerIds: parsed.data.screenerIds }) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // An unreadable existing file is replaced by the fresh import.
    return { text: '' };
  }
}

/** Imports the records in `paths` into `options.dataDir/trials/`; see the module comment. */
export async function importRegistryFiles(paths: string[], options: ImportOptions): Promise<RecordOutcome[]> {
  const geocode = options.geocode ?? geocodePostalCode;
  const files = await collectRecordFiles(paths);
  const trialsDir = join(options.dataDir, 'trials');
  if (!options.dryRun) await mkdir(trialsDir, { recursive: true });
  const outcomes: RecordOutcome[] = [];
  const importedFrom = new Map<string, string>();
  options.onProgress?.(0, files.length);

  for (const [fileIndex, file] of files.entries()) {
    let content: string;
    try {
      content = await readFile(file, 'utf8');
    } catch (error) {
      outcomes.push({ file, result: 'failed', error: `${file}: cannot read: ${(error as Error).message}`, warnings: [] });
      options.onProgress?.(fileIndex + 1, files.length);
      continue;
    }
    for (const parsed of parseRegistryFile(content)) {
      if (parsed instanceof RegistryRecordError) {
        outcomes.push({ file, result: 'failed', error: `${file}: ${parsed.message}`, warnings: [] });
        continue;
      }
      const { trial, warnings } = parsed;
      await geocodeSites(trial, geocode, warnings);
      const target = join(trialsDir, `${trial.nctId}.json`);
      const existing = await readExisting(target);
      const candidate = TrialRecord.safeParse({
        ...trial,
        screenerIds: existing?.screenerIds ?? options.screenerIds,
        source: { format: trial.source!.format, file: basename(file) },
      });
      if (!candidate.success) {
        const issue = candidate.error.issues[0]!;
        outcomes.push({
          file,
          nctId: trial.nctId,
          result: 'failed',
          error: `${file}: ${formatPath(issue.path)}: ${issue.message}`,
          warnings,
        });
        continue;
      }
      const previousFile = importedFrom.get(trial.nctId);
      if (previousFile) warnings.push(`${trial.nctId} was also in ${previousFile}; this file's version is kept`);
      importedFrom.set(trial.nctId, file);

      const text = `${JSON.stringify(candidate.data, null, 2)}\n`;
      const result = options.dryRun ? 'checked' : !existing ? 'created' : existing.text === text ? 'unchanged' : 'updated';
      if (result === 'created' || result === 'updated') await writeFile(target, text);
      outcomes.push({ file, nctId: trial.nctId, result, warnings, trial: candidate.data });
    }
    options.onProgress?.(fileIndex + 1, files.length);
  }
  return outcomes;
}
