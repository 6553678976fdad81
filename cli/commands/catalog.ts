/**
 * `trial-screener catalog ...`: checks on the catalog files (`data/`). `catalog lint` also runs in
 * `npm test`, so a criterion that names a missing question or can never be decided fails CI.
 */
import type { Command } from 'commander';
import { CatalogFileError, readCatalogSources } from '../../functions/adapters/catalog-files';
import { lintCatalog, type LintIssue } from '../catalog/lint';
import { DEFAULT_DATA_DIR } from '../context';

const formatIssue = (issue: LintIssue): string =>
  `${issue.severity}: ${issue.trialId}${issue.criterionId ? ` criterion "${issue.criterionId}"` : ''}: ${issue.message} (${issue.file})`;

export function registerCatalogCommands(program: Command): void {
  const catalog = program.command('catalog').description('Check the trial catalog files in data/');

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
