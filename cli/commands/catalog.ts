/**
 * `trial-screener catalog ...`: checks on the catalog files (`data/`). `catalog lint` also runs in
 * `npm test`, so a criterion that names a missing question or can never be decided fails CI.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { CatalogFileError, type CriteriaFile, readCatalogSources, TrialRecord } from '#adapters/catalog-files';
import { lintCatalog, type LintIssue } from '#cli/catalog/lint';
import { DEFAULT_DATA_DIR } from '#cli/context';

const formatIssue = (issue: LintIssue): string =>
  `${issue.severity}: ${issue.trialId}${issue.criterionId ? ` criterion "${issue.criterionId}"` : ''}: ${issue.message} (${issue.file})`;

/** What the study team checks for a trial approved with structured criteria only. */
export const UNAUTHORED_CRITERIA_NOTE =
  'Every eligibility criterion in the registry record beyond age and sex: no screening question covers them yet';

/**
 * Approves a draft trial (from a registry sync) so it is offered: records who and when in its
 * trial file, and gives it an empty criteria file (structured criteria only, the rest left to the
 * study team) unless criteria were authored already. Returns what it did, for the message.
 */
export async function approveTrial(
  dataDir: string,
  nctId: string,
  by: string,
  now: Date = new Date(),
): Promise<{ createdCriteria: boolean }> {
  const trialPath = join(dataDir, 'trials', `${nctId}.json`);
  let record: TrialRecord;
  try {
    record = TrialRecord.parse(JSON.parse(await readFile(trialPath, 'utf8')));
  } catch (error) {
    throw new Error(`no valid trial ${nctId} in ${join(dataDir, 'trials')} (${(error as Error).message.split('\n')[0]})`);
  }
  if (record.review?.status !== 'draft') throw new Error(`${nctId} is not a draft; nothing to approve`);
  const criteriaPath = join(dataDir, 'criteria', `${nctId}.json`);
  let createdCriteria = false;
  try {
    await readFile(criteriaPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const criteria: CriteriaFile = { nctId, criteria: [], leftToStudyTeam: [UNAUTHORED_CRITERIA_NOTE] };
    await writeFile(criteriaPath, `${JSON.stringify(criteria, null, 2)}\n`);
    createdCriteria = true;
  }
  const approved: TrialRecord = { ...record, review: { status: 'approved', by, at: now.toISOString() } };
  const temporary = `${trialPath}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(TrialRecord.parse(approved), null, 2)}\n`);
  await rename(temporary, trialPath);
  return { createdCriteria };
}

export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('Check the trial catalog files in data/');

  catalog
    .command('review')
    .description(
      'List the draft trials a registry sync brought in (not offered to patients), or approve one: ' +
        '`catalog review NCT01234567 --approve --by "Your Name"`. Approve after reading `trials show`; ' +
        'author criteria in data/criteria/ first where the screener can ask them. Then run `trials load`.',
    )
    .argument('[nctId]', 'the draft trial to review')
    .option('--approve', 'offer the trial to patients from the next `trials load`')
    .option('--by <name>', 'who reviewed it (required with --approve)')
    .option('--data-dir <dir>', 'catalog folder', DEFAULT_DATA_DIR)
    .action(async (nctId: string | undefined, options: { approve?: boolean; by?: string; dataDir: string }) => {
      if (!nctId) {
        const { trials } = await readCatalogSources(options.dataDir);
        const drafts = trials.filter((t) => t.trial.review?.status === 'draft');
        for (const { trial } of drafts) console.log(`${trial.nctId}  ${trial.status.padEnd(20)} ${trial.title}`);
        console.log(`${drafts.length} draft trial(s) waiting for review`);
        return;
      }
      const id = nctId.toUpperCase();
      if (!options.approve) {
        console.log(`${id}: read it with \`trial-screener trials show ${id}\`, then approve with --approve --by <name>`);
        return;
      }
      if (!options.by?.trim()) throw new Error('--approve needs --by <name>: the approval records who reviewed the trial');
      const { createdCriteria } = await approveTrial(options.dataDir, id, options.by.trim());
      console.log(
        `approved ${id} by ${options.by.trim()}` +
          `${createdCriteria ? ' with structured criteria only (data/criteria/ holds an empty criteria file: the study team checks the rest)' : ''}; ` +
          'run `trial-screener trials load` to offer it',
      );
    });

  catalog
    .command('lint')
    .description(
      'Check every trial record and its screening criteria: real question ids and option values, matching types, ' +
        'supported operators, and criteria that some answers meet and some do not',
    )
    .option('--data-dir <dir>', 'folder with screeners/, trials/ and criteria/', DEFAULT_DATA_DIR)
    .option('--json', 'print the issues as JSON')
    .option('--strict', 'fail on warnings too')
    .action(async (options: { dataDir: string; json?: boolean; strict?: boolean }) => {
      let issues: LintIssue[];
      let summary = '';
      try {
        const sources = await readCatalogSources(options.dataDir);
        issues = lintCatalog(sources);
        const criteria = sources.trials.reduce((n, t) => n + t.trial.criteria.length, 0);
        summary = `${sources.trials.length} trials, ${criteria} criteria, catalog version ${sources.catalogVersion}`;
      } catch (error) {
        if (!(error instanceof CatalogFileError)) throw error;
        issues = error.issues.map((i) => ({
          severity: 'error' as const,
          trialId: /NCT\d{8}/.exec(i.file)?.[0] ?? '-',
          file: i.file,
          message: `${i.field ? `${i.field}: ` : ''}${i.message}`,
        }));
      }
      const errors = issues.filter((i) => i.severity === 'error').length;
      const warnings = issues.length - errors;
      if (options.json) {
        console.log(JSON.stringify({ errors, warnings, issues }, null, 2));
      } else {
        for (const issue of issues) (issue.severity === 'error' ? console.error : console.warn)(formatIssue(issue));
        console.log(`catalog lint: ${errors} errors, ${warnings} warnings${summary ? ` (${summary})` : ''}`);
      }
      if (errors > 0 || (options.strict && warnings > 0)) process.exitCode = 1;
    });
}
