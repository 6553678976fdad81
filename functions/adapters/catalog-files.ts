/**
 * Reads the reviewable catalog from the repository's `data/` folder:
 *
 * - `data/screeners/<screenerId>.json`: a `Screener`;
 * - `data/trials/<NCTID>.json`: the importer's normalised registry record (a `Trial` without
 *   `criteria`); rewritten by `trials import`, never edited by hand;
 * - `data/criteria/<NCTID>.json`: the hand-authored screening criteria of that trial, reviewed
 *   separately and never touched by an import;
 * - `data/confirmations/<NCTID>.json` (optional): operators' confirmations with the study that
 *   it is recruiting (`trials confirm`), never touched by an import or a sync.
 *
 * A trial marked `review.status: "draft"` (new from a registry sync) needs no criteria file: it
 * has only its structured criteria and is not offered until `catalog review --approve`.
 *
 * Every file is validated with the zod schemas of the domain model; a problem names the file and
 * the field. Used by the CLI (`catalog lint`, `trials load`), the local runtime and tests.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RecruitmentConfirmation, Screener, ScreeningCriterion, Trial } from '#core/model';
import * as z from '#core/zod';

/** A trial as the importer writes it: everything but the authored criteria. */
export const TrialRecord = z.omit(Trial, {
  criteria: true,
  confirmations: true,
  leftToStudyTeam: true,
  plainSummary: true,
  onSiteOnly: true,
});
export type TrialRecord = z.infer<typeof TrialRecord>;

/** The hand-authored criteria file of one trial. */
export const CriteriaFile = z.object({
  nctId: z.string().check(z.regex(/^NCT\d{8}$/)),
  criteria: z.array(
    z.extend(ScreeningCriterion, {
      /**
       * The registry's own words the criterion is written from, quoted from the record's
       * eligibility text (`catalog lint` checks the quote is there, ignoring line breaks).
       */
      registryText: z.string().check(z.minLength(1)),
      /** Why the rule reads as it does, or which part of the registry text it leaves out. */
      note: z.optional(z.string()),
    }),
  ),
  /** Requirements from the eligibility text that the screener cannot ask; the study team checks them. */
  leftToStudyTeam: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Our own plain-language summary of the study, shown beside the registry's. */
  plainSummary: z.optional(z.string().check(z.minLength(1))),
  /** The study only enrols on site: the reason, in plain words for the patient. */
  onSiteOnly: z.optional(z.string().check(z.minLength(1))),
});
export type CriteriaFile = z.infer<typeof CriteriaFile>;

/** The operator's confirmations of one trial (`trials confirm`). */
export const ConfirmationsFile = z.object({
  nctId: z.string().check(z.regex(/^NCT\d{8}$/)),
  confirmations: z.array(RecruitmentConfirmation),
});
export type ConfirmationsFile = z.infer<typeof ConfirmationsFile>;

/** One problem in one catalog file. */
export interface CatalogFileIssue {
  /** Path relative to the data folder's parent, e.g. `data/trials/NCT03589703.json`. */
  file: string;
  /** Dotted field path inside the file; empty for the file as a whole. */
  field: string;
  message: string;
}

/** Thrown when any catalog file is unreadable or invalid; lists every problem found. */
export class CatalogFileError extends Error {
  constructor(readonly issues: CatalogFileIssue[]) {
    super(`invalid catalog files:\n${issues.map((i) => `  ${i.file}${i.field ? `: ${i.field}` : ''}: ${i.message}`).join('\n')}`);
    this.name = 'CatalogFileError';
  }
}

/** A trial with where it came from, for tools that report on files (lint, show). */
export interface CatalogTrialSource {
  trial: Trial;
  trialFile: string;
  criteriaFile: string;
  /** The criteria file as authored, with its citations and notes. */
  authored: CriteriaFile;
}

export interface CatalogSources {
  screeners: Screener[];
  trials: CatalogTrialSource[];
  catalogVersion: string;
}

const formatPath = (path: readonly PropertyKey[]): string =>
  path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');

async function jsonFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Reads, validates and merges every catalog file under `dataDir` (the folder holding
 * `screeners/`, `trials/` and `criteria/`), keeping the file names for reports.
 *
 * @throws CatalogFileError listing every invalid file and field.
 */
export async function readCatalogSources(dataDir: string): Promise<CatalogSources> {
  const issues: CatalogFileIssue[] = [];
  const display = (path: string): string => relative(join(dataDir, '..'), path) || path;

  async function load<T>(dir: string, name: string, schema: z.ZodMiniType<T>): Promise<T | undefined> {
    const path = join(dataDir, dir, name);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      issues.push({ file: display(path), field: '', message: `not readable JSON: ${(error as Error).message}` });
      return undefined;
    }
    const result = schema.safeParse(parsed);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      issues.push({ file: display(path), field: formatPath(issue.path), message: issue.message });
    }
    return undefined;
  }

  const screeners: Screener[] = [];
  for (const name of await jsonFiles(join(dataDir, 'screeners'))) {
    const screener = await load('screeners', name, Screener);
    if (!screener) continue;
    if (`${screener.id}.json` !== name) {
      issues.push({
        file: display(join(dataDir, 'screeners', name)),
        field: 'id',
        message: `"${screener.id}" does not match the file name`,
      });
    }
    screeners.push(screener);
  }

  const criteriaNames = new Set(await jsonFiles(join(dataDir, 'criteria')));
  const confirmationNames = new Set(await jsonFiles(join(dataDir, 'confirmations')));
  const trials: CatalogTrialSource[] = [];
  for (const name of await jsonFiles(join(dataDir, 'trials'))) {
    const trialFile = display(join(dataDir, 'trials', name));
    const criteriaFile = display(join(dataDir, 'criteria', name));
    // Claimed before validation, so an invalid record does not also make its criteria look orphaned.
    const hasCriteria = criteriaNames.delete(name);
    const record = await load('trials', name, TrialRecord);
    if (!record) continue;
    if (`${record.nctId}.json` !== name) {
      issues.push({ file: trialFile, field: 'nctId', message: `"${record.nctId}" does not match the file name` });
      continue;
    }
    const draft = record.review?.status === 'draft';
    if (!hasCriteria && !draft) {
      issues.push({
        file: criteriaFile,
        field: '',
        message: `missing: trial ${record.nctId} has no authored screening criteria`,
      });
      continue;
    }
    const authored = hasCriteria
      ? await load('criteria', name, CriteriaFile)
      : { nctId: record.nctId, criteria: [], leftToStudyTeam: [] };
    if (!authored) continue;
    if (authored.nctId !== record.nctId) {
      issues.push({ file: criteriaFile, field: 'nctId', message: `"${authored.nctId}" does not match the file name` });
      continue;
    }
    const confirmed = confirmationNames.delete(name) ? await load('confirmations', name, ConfirmationsFile) : undefined;
    if (confirmed && confirmed.nctId !== record.nctId) {
      issues.push({
        file: display(join(dataDir, 'confirmations', name)),
        field: 'nctId',
        message: `"${confirmed.nctId}" does not match the file name`,
      });
      continue;
    }
    // The criterion schema drops authoring-only fields (`registryText`, `note`) so the loaded trial is a plain Trial.
    const criteria = authored.criteria.map((c) => ScreeningCriterion.parse(c));
    const trial: Trial = { ...record, criteria, leftToStudyTeam: authored.leftToStudyTeam };
    if (authored.plainSummary !== undefined) trial.plainSummary = authored.plainSummary;
    if (authored.onSiteOnly !== undefined) trial.onSiteOnly = authored.onSiteOnly;
    if (confirmed && confirmed.confirmations.length > 0) trial.confirmations = confirmed.confirmations;
    trials.push({ trial, trialFile, criteriaFile, authored });
  }
  for (const orphan of criteriaNames) {
    issues.push({
      file: display(join(dataDir, 'criteria', orphan)),
      field: '',
      message: 'criteria for a trial that is not in data/trials/',
    });
  }
  for (const orphan of confirmationNames) {
    issues.push({
      file: display(join(dataDir, 'confirmations', orphan)),
      field: '',
      message: 'confirmations for a trial that is not in data/trials/',
    });
  }
  if (issues.length > 0) throw new CatalogFileError(issues);

  return {
    screeners,
    trials,
    catalogVersion: catalogVersionOf(
      screeners,
      trials.map((t) => t.trial),
    ),
  };
}

/**
 * A short content hash of the parsed catalog: the same content gives the same version whatever
 * the file formatting, and any change to a screener, record or criterion gives a new one.
 */
export function catalogVersionOf(screeners: Screener[], trials: Trial[]): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ screeners, trials }));
  return hash.digest('hex').slice(0, 12);
}

/**
 * The catalog under `dataDir` as the functions use it: screeners, trials with their criteria,
 * and the catalog version.
 *
 * @throws CatalogFileError naming each invalid file and field.
 */
export async function readCatalogFiles(
  dataDir: string,
): Promise<{ screeners: Screener[]; trials: Trial[]; catalogVersion: string }> {
  const sources = await readCatalogSources(dataDir);
  return { screeners: sources.screeners, trials: sources.trials.map((t) => t.trial), catalogVersion: sources.catalogVersion };
}
