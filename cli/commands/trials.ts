/**
 * `trial-screener trials ...`: import ClinicalTrials.gov records into the catalog files, inspect
 * the catalog, and load it into a deployment's table.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { readCatalogSources, type CatalogTrialSource } from '#adapters/catalog-files';
import { CatalogRepository } from '#adapters/catalog-repository';
import { holdLeadsOfClosedSites, type HeldLead } from '#adapters/closed-site-leads';
import { OutboxRepository } from '#adapters/outbox-repository';
import { ScreenerRepository } from '#adapters/screener-repository';
import { assessFreshness, DEFAULT_MAX_RECORD_AGE_DAYS, type FreshnessPolicy } from '#core/freshness';
import { RecruitmentConfirmation, type RecordDates, type Trial } from '#core/model';
import { ConfirmationsFile } from '#adapters/catalog-files';
import { importRegistryFiles, type RecordOutcome } from '#cli/import/import-trials';
import { syncCatalogFiles, type SyncFilesResult } from '#cli/import/sync-trials';
import { CTGOV_API_URL } from '#adapters/registry/ctgov-api';
import { lintCatalog } from '#cli/catalog/lint';
import {
  DEFAULT_DATA_DIR,
  describeTarget,
  resolveTableTarget,
  usingTable,
  withConnectionOptions,
  type ConnectionOptions,
} from '#cli/context';

/** A progress bar on stderr when a person is watching; nothing when piped or printing JSON. */
export function progressBar(label: string, enabled: boolean): { update(done: number, total: number): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    { format: `${label} [{bar}] {value}/{total}`, stream: process.stderr, clearOnComplete: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.update(done);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

const RECRUITING_SITE = 'RECRUITING';

/** "verified 2020-07, updated 2020-07-15, primary completion 2021-04 (anticipated)". */
export function describeRecordDates(dates: RecordDates | undefined): string {
  if (!dates) return 'no registry dates (re-import the record)';
  return [
    `verified ${dates.verified ?? 'never'}`,
    ...(dates.lastUpdated ? [`updated ${dates.lastUpdated}`] : []),
    ...(dates.primaryCompletion
      ? [
          `primary completion ${dates.primaryCompletion}${dates.primaryCompletionType ? ` (${dates.primaryCompletionType.toLowerCase()})` : ''}`,
        ]
      : []),
  ].join(', ');
}

/** "current (registry)", "current (confirmed by Kari, 2026-11-20)" or "STALE: <why>". */
function describeFreshness(trial: Trial, policy: FreshnessPolicy, siteId?: string): string {
  const freshness = assessFreshness(trial, siteId, policy);
  if (freshness.current && freshness.confirmation) {
    const c = freshness.confirmation;
    return `current (confirmed by ${c.by} on ${c.at.slice(0, 10)}${c.demo ? ', a demo confirmation' : ''})`;
  }
  return freshness.current ? 'current (registry record)' : `STALE: ${freshness.reason!.message}`;
}

const cliPolicy = (maxRecordAgeDays: number): FreshnessPolicy => ({ maxRecordAgeDays, now: new Date() });

function trialLine(trial: Trial, policy: FreshnessPolicy): string {
  const recruitingSites = trial.sites.filter((s) => s.status === RECRUITING_SITE).length;
  return [
    trial.nctId,
    trial.status.padEnd(23),
    `${trial.review?.status === 'draft' ? 'DRAFT ' : ''}${assessFreshness(trial, undefined, policy).current ? 'current' : 'stale  '}`,
    `verified ${(trial.recordDates?.verified ?? 'never').padEnd(10)}`,
    `${String(recruitingSites).padStart(3)}/${String(trial.sites.length).padEnd(3)} sites recruiting`,
    `${String(trial.criteria.length).padStart(2)} criteria`,
    trial.title,
  ].join('  ');
}

function showTrial(source: CatalogTrialSource, policy: FreshnessPolicy): string {
  const { trial } = source;
  const e = trial.eligibility;
  const ages = `${e.minAgeYears ?? 'no minimum'} to ${e.maxAgeYears ?? 'no maximum'} years`;
  const lines = [
    `${trial.nctId}: ${trial.title}`,
    `status: ${trial.status} (registry record as of ${trial.recordDate}; check the registry for today's status)`,
    `record dates: ${describeRecordDates(trial.recordDates)}`,
    `freshness: ${describeFreshness(trial, policy)} (limit ${policy.maxRecordAgeDays} days)`,
    ...(trial.review
      ? [`review: ${trial.review.status}${trial.review.by ? ` by ${trial.review.by} on ${trial.review.at?.slice(0, 10)}` : ''}`]
      : []),
    ...(trial.studyType ? [`study type: ${trial.studyType}`] : []),
    ...(trial.phase ? [`phase: ${trial.phase}`] : []),
    `conditions: ${trial.conditions.join('; ')}`,
    `eligibility: ${ages}, sex ${e.sex}, healthy volunteers ${e.healthyVolunteers ? 'accepted' : 'not accepted'}`,
    `central contact: ${trial.centralContact ? [trial.centralContact.name, trial.centralContact.email, trial.centralContact.phone].filter(Boolean).join(', ') : 'none'}`,
    ...(trial.confirmations && trial.confirmations.length > 0
      ? [
          'confirmations:',
          ...trial.confirmations.map(
            (c) => `  ${c.at}  ${c.siteId ?? 'whole study'}  by ${c.by}${c.demo ? ' (demo)' : ''}${c.note ? `: ${c.note}` : ''}`,
          ),
        ]
      : []),
    `sites (${trial.sites.length}):`,
    ...trial.sites.map(
      (s) =>
        `  ${s.siteId}  ${s.status.padEnd(22)} ${[s.facility, s.city, s.state, s.postalCode, s.country].filter(Boolean).join(', ')}` +
        `${s.geo ? ` @${s.geo.lat},${s.geo.lon}` : ''}${s.contact?.email ? ` <${s.contact.email}>` : ''}`,
    ),
    `screening criteria (${source.criteriaFile}):`,
    ...trial.criteria.map((c) => `  [${c.kind}] ${c.id}: ${c.text}`),
    ...(source.trial.leftToStudyTeam.length > 0
      ? ['left to the study team:', ...source.trial.leftToStudyTeam.map((t) => `  - ${t}`)]
      : []),
  ];
  return lines.join('\n');
}

/**
 * Records an operator's confirmation in `data/confirmations/<NCTID>.json` (appended; earlier
 * confirmations are kept as the audit trail). Refuses a trial or site the registry lists as not
 * recruiting: a confirmation vouches for a record's age, it does not reopen a closed study.
 */
export async function recordConfirmation(
  dataDir: string,
  nctId: string,
  confirmation: RecruitmentConfirmation,
): Promise<{ file: string; confirmations: RecruitmentConfirmation[] }> {
  const { trials: sources } = await readCatalogSources(dataDir);
  const source = sources.find((s) => s.trial.nctId === nctId);
  if (!source) throw new Error(`no trial ${nctId} in ${dataDir}`);
  const { trial } = source;
  if (trial.status !== 'RECRUITING') {
    throw new Error(`${nctId} is ${trial.status} in its registry record; sync or re-import it before confirming`);
  }
  if (confirmation.siteId !== undefined) {
    const site = trial.sites.find((s) => s.siteId === confirmation.siteId);
    if (!site) throw new Error(`${nctId} has no site ${confirmation.siteId} (see \`trials show ${nctId}\`)`);
    if (site.status !== 'RECRUITING') throw new Error(`site ${site.siteId} of ${nctId} is ${site.status} in its registry record`);
  }
  const checked = RecruitmentConfirmation.parse(confirmation);
  const directory = join(dataDir, 'confirmations');
  const file = join(directory, `${nctId}.json`);
  let existing: RecruitmentConfirmation[] = [];
  try {
    existing = ConfirmationsFile.parse(JSON.parse(await readFile(file, 'utf8'))).confirmations;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`${file} is not a valid confirmations file: ${(error as Error).message}`);
  }
  const confirmations = [...existing, checked];
  await mkdir(directory, { recursive: true });
  await writeFile(file, `${JSON.stringify({ nctId, confirmations }, null, 2)}\n`);
  return { file, confirmations };
}

const positiveDays = (value: string): number => {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1)
    throw new Error(`--max-record-age-days must be a whole number of days, not "${value}"`);
  return days;
};

export function registerTrialCommands(program: Command): void {
  const trials = program.command('trials').description('Import, inspect and load the trial catalog');

  trials
    .command('import')
    .description(
      'Import ClinicalTrials.gov records (API v2 JSON or classic XML) into data/trials/. ' +
        'Re-importing a trial updates its file; authored criteria in data/criteria/ are never touched.',
    )
    .argument('[paths...]', 'record files or folders (default: data/registry/)')
    .option('--dry-run', 'parse and validate, write nothing')
    .option('--json', 'print the normalised trials (and failures) as JSON')
    .option('--data-dir <dir>', 'catalog folder holding trials/', DEFAULT_DATA_DIR)
    .option('--screener <id...>', 'screener ids for newly imported trials', ['lower-back-pain'])
    .action(async (paths: string[], options: { dryRun?: boolean; json?: boolean; dataDir: string; screener: string[] }) => {
      const sources = paths.length > 0 ? paths : [join(options.dataDir, 'registry')];
      const bar = progressBar('importing', !options.json);
      let outcomes: RecordOutcome[];
      try {
        outcomes = await importRegistryFiles(sources, {
          dataDir: options.dataDir,
          dryRun: options.dryRun ?? false,
          screenerIds: options.screener,
          onProgress: (done, total) => bar.update(done, total),
        });
      } finally {
        bar.stop();
      }
      const failed = outcomes.filter((o) => o.result === 'failed');
      if (options.json) {
        console.log(
          JSON.stringify(
            {
              dryRun: options.dryRun ?? false,
              trials: outcomes.filter((o) => o.trial).map((o) => o.trial),
              results: outcomes.map(({ trial: _trial, ...rest }) => rest),
              failed: failed.length,
            },
            null,
            2,
          ),
        );
      } else {
        for (const o of outcomes) {
          if (o.result === 'failed') console.error(`failed: ${o.error}`);
          else console.log(`${o.result.padEnd(9)} ${o.nctId} (${o.file})`);
          for (const warning of o.warnings) console.warn(`  warning: ${o.nctId ?? o.file}: ${warning}`);
        }
        const counts = ['created', 'updated', 'unchanged', 'checked']
          .map((r) => [r, outcomes.filter((o) => o.result === r).length] as const)
          .filter(([, n]) => n > 0)
          .map(([r, n]) => `${n} ${r}`);
        console.log(`${[...counts, `${failed.length} failed`].join(', ')}${options.dryRun ? ' (dry run: nothing written)' : ''}`);
      }
      if (failed.length > 0 || outcomes.length === 0) process.exitCode = 1;
    });

  trials
    .command('sync')
    .description(
      'Fetch trials from the ClinicalTrials.gov API v2 into data/trials/: incremental from the last sync (data/registry-sync.json). ' +
        "Existing trials get the registry's facts (authored criteria and confirmations are never touched); new recruiting trials " +
        'come in as drafts, not offered until `catalog review <nctId> --approve`; closed trials and sites are reported. ' +
        'A failed or truncated page writes nothing. Then run `trials load` to publish (it holds unsent leads of closed sites).',
    )
    .option(
      '--condition <text...>',
      "conditions to search (query.cond); default: the last sync's, else the screeners' conditions",
    )
    .option('--term <text>', 'other search terms (query.term)')
    .option('--api-url <url>', 'the API v2 base URL', CTGOV_API_URL)
    .option('--full', "ignore the last sync's date and fetch every open trial")
    .option('--dry-run', 'fetch and report, write nothing')
    .option('--json', 'print the normalised trials, the changes and the summary as JSON')
    .option('--data-dir <dir>', 'catalog folder holding trials/', DEFAULT_DATA_DIR)
    .option('--screener <id...>', 'screener ids for new trials', ['lower-back-pain'])
    .action(
      async (options: {
        condition?: string[];
        term?: string;
        apiUrl: string;
        full?: boolean;
        dryRun?: boolean;
        json?: boolean;
        dataDir: string;
        screener: string[];
      }) => {
        const bar = progressBar('syncing', !options.json);
        let result: SyncFilesResult;
        try {
          result = await syncCatalogFiles({
            dataDir: options.dataDir,
            ...(options.condition && { conditions: options.condition }),
            ...(options.term && { term: options.term }),
            apiUrl: options.apiUrl,
            full: options.full ?? false,
            dryRun: options.dryRun ?? false,
            screenerIds: options.screener,
            onPage: (received, total) => bar.update(received, Math.max(total ?? received, received)),
            onRetry: (attempt, reason, delayMs) => {
              if (!options.json)
                console.warn(`  retrying after ${reason} (attempt ${attempt}, waiting ${Math.round(delayMs / 100) / 10} s)`);
            },
          });
        } finally {
          bar.stop();
        }
        const { summary } = result.plan;
        if (options.json) {
          console.log(
            JSON.stringify(
              {
                dryRun: options.dryRun ?? false,
                since: result.since ?? null,
                conditions: result.conditions,
                summary,
                changes: result.plan.changes,
                trials: result.fetched,
                failures: result.failures,
              },
              null,
              2,
            ),
          );
        } else {
          for (const change of result.plan.changes) {
            if (change.kind === 'unchanged') continue;
            const sites =
              change.closedSiteIds.length > 0 ? ` (sites stopped recruiting: ${change.closedSiteIds.join(', ')})` : '';
            const draft = change.kind === 'new' ? ' as a draft: review with `trials show`, then `catalog review --approve`' : '';
            console.log(`${change.kind.padEnd(9)} ${change.nctId}${draft}${sites}`);
          }
          for (const failure of result.failures)
            console.error(`failed: ${failure} (record skipped; the catalog keeps its version)`);
          console.log(
            `${summary.new} new, ${summary.updated} updated, ${summary.closed} closed, ${summary.unchanged} unchanged` +
              `${summary.closedSites > 0 ? `, ${summary.closedSites} sites closed` : ''}; ` +
              `${result.since ? `changes since ${result.since}` : 'full sync'} for ${result.conditions.join(', ')}` +
              `${options.dryRun ? ' (dry run: nothing written)' : ''}`,
          );
          if (!options.dryRun && (summary.closed > 0 || summary.closedSites > 0)) {
            console.log(
              'Run `trial-screener trials load` now: it stops offering closed trials and sites and holds their unsent leads.',
            );
          }
        }
        if (result.failures.length > 0) process.exitCode = 1;
      },
    );

  trials
    .command('list')
    .description('List the trials in the catalog files with status, record date, sites and criteria')
    .option('--data-dir <dir>', 'catalog folder', DEFAULT_DATA_DIR)
    .option('--status <status>', 'only trials with this overall status (e.g. RECRUITING)')
    .option('--max-record-age-days <days>', 'the freshness limit', positiveDays, DEFAULT_MAX_RECORD_AGE_DAYS)
    .option('--json', 'print as JSON')
    .action(async (options: { dataDir: string; status?: string; json?: boolean; maxRecordAgeDays: number }) => {
      const policy = cliPolicy(options.maxRecordAgeDays);
      const { trials: sources, catalogVersion } = await readCatalogSources(options.dataDir);
      const selected = sources.map((s) => s.trial).filter((t) => !options.status || t.status === options.status.toUpperCase());
      if (options.json) {
        console.log(
          JSON.stringify(
            selected.map((t) => ({
              nctId: t.nctId,
              title: t.title,
              status: t.status,
              recordDate: t.recordDate,
              recordDates: t.recordDates ?? null,
              ...(t.review && { review: t.review.status }),
              freshness: assessFreshness(t, undefined, policy),
              sites: t.sites.length,
              recruitingSites: t.sites.filter((s) => s.status === RECRUITING_SITE).length,
              criteria: t.criteria.length,
            })),
            null,
            2,
          ),
        );
        return;
      }
      for (const trial of selected) console.log(trialLine(trial, policy));
      console.log(`${selected.length} trials (catalog version ${catalogVersion})`);
    });

  trials
    .command('show')
    .description('Show one trial: registry facts, record date, sites, contacts and screening criteria')
    .argument('<nctId>', 'the trial, e.g. NCT03589703')
    .option('--data-dir <dir>', 'catalog folder', DEFAULT_DATA_DIR)
    .option('--max-record-age-days <days>', 'the freshness limit', positiveDays, DEFAULT_MAX_RECORD_AGE_DAYS)
    .option('--json', 'print the trial as JSON')
    .action(async (nctId: string, options: { dataDir: string; json?: boolean; maxRecordAgeDays: number }) => {
      const policy = cliPolicy(options.maxRecordAgeDays);
      const { trials: sources } = await readCatalogSources(options.dataDir);
      const source = sources.find((s) => s.trial.nctId === nctId.toUpperCase());
      if (!source) throw new Error(`no trial ${nctId} in ${options.dataDir}`);
      console.log(
        options.json
          ? JSON.stringify({ ...source.trial, freshness: assessFreshness(source.trial, undefined, policy) }, null, 2)
          : showTrial(source, policy),
      );
    });

  trials
    .command('confirm')
    .description(
      'Record that you checked with the study (or one site) that it is recruiting. The trial may then take referrals ' +
        'for maxRecordAgeDays from now even if its registry record is older; the confirmation expires like a verification. ' +
        'Then run `trials load` to publish it.',
    )
    .argument('<nctId>', 'the trial, e.g. NCT03589703')
    .requiredOption('--by <name>', 'who checked with the study (kept with the confirmation)')
    .option('--site <siteId>', 'the site confirmed (default: the whole study, e.g. with its central contact)')
    .option('--note <text>', 'how it was confirmed ("phoned the coordinator")')
    .option('--data-dir <dir>', 'catalog folder', DEFAULT_DATA_DIR)
    .option(
      '--max-record-age-days <days>',
      'the freshness limit, to say when it expires',
      positiveDays,
      DEFAULT_MAX_RECORD_AGE_DAYS,
    )
    .action(
      async (nctId: string, options: { by: string; site?: string; note?: string; dataDir: string; maxRecordAgeDays: number }) => {
        const at = new Date();
        const confirmation: RecruitmentConfirmation = { by: options.by.trim(), at: at.toISOString() };
        if (options.site) confirmation.siteId = options.site;
        if (options.note) confirmation.note = options.note;
        const { file } = await recordConfirmation(options.dataDir, nctId.toUpperCase(), confirmation);
        const expires = new Date(at.getTime() + options.maxRecordAgeDays * 86_400_000).toISOString().slice(0, 10);
        console.log(
          `confirmed ${nctId.toUpperCase()}${options.site ? ` site ${options.site}` : ' (whole study)'} by ${confirmation.by}; ` +
            `counts until ${expires}. Written to ${file}; run \`trial-screener trials load\` to publish it.`,
        );
      },
    );

  withConnectionOptions(
    trials
      .command('load')
      .description(
        'Load the catalog files (screeners, trials with their criteria) into the table as a new catalog version. ' +
          'The catalog must pass `catalog lint`; functions switch to the new version once every trial is written.',
      )
      .option('--data-dir <dir>', 'catalog folder', DEFAULT_DATA_DIR)
      .option('--json', 'print the loaded version as JSON'),
  ).action(async (options: ConnectionOptions & { dataDir: string; json?: boolean }) => {
    const sources = await readCatalogSources(options.dataDir);
    const errors = lintCatalog(sources).filter((issue) => issue.severity === 'error');
    if (errors.length > 0) {
      throw new Error(`the catalog has ${errors.length} lint errors; run \`trial-screener catalog lint\` and fix them first`);
    }
    const target = resolveTableTarget(options);
    const bar = progressBar('loading', !options.json);
    let held: HeldLead[] = [];
    const total = sources.screeners.length + 1;
    try {
      bar.update(0, total);
      const pointer = await usingTable(target, async (table) => {
        const screeners = new ScreenerRepository(table);
        for (const [index, screener] of sources.screeners.entries()) {
          await screeners.putScreener(screener);
          bar.update(index + 1, total);
        }
        const loaded = sources.trials.map((t) => t.trial);
        const written = await new CatalogRepository(table).writeCatalog(sources.catalogVersion, loaded);
        // The new catalog is in use: leads not yet sent for what it no longer offers are held.
        held = await holdLeadsOfClosedSites(new OutboxRepository(table), loaded);
        return written;
      });
      bar.update(total, total);
      bar.stop();
      const recruiting = sources.trials.filter((t) => t.trial.status === 'RECRUITING').length;
      if (options.json) {
        console.log(
          JSON.stringify({
            ...pointer,
            screeners: sources.screeners.length,
            recruiting,
            table: target.tableName,
            heldLeads: held,
          }),
        );
      } else {
        console.log(
          `loaded catalog ${pointer.version} into ${describeTarget(target)}: ${pointer.trialCount} trials ` +
            `(${recruiting} recruiting), ${sources.screeners.length} screeners`,
        );
        for (const lead of held) console.log(`held lead ${lead.leadId} (${lead.trialId}, ${lead.siteId}): ${lead.reason}`);
        if (held.length > 0) console.log(`${held.length} unsent lead(s) held; see \`trial-screener leads list --status FAILED\``);
      }
    } finally {
      bar.stop();
    }
  });
}
