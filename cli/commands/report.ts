/**
 * `trial-screener report`: the recruitment funnel (screenings -> possibly eligible / eligible ->
 * referred -> delivered -> contacted -> enrolled) per ISO week, trial and site, and each
 * criterion's attrition, counted from the stored screening and lead records
 * (`functions/core/funnel.ts`). As text tables, `--json`, or a self-contained HTML file with charts
 * (`--html`). Counts only: no names, contact details or answers are read or printed.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { CatalogRepository } from '#adapters/catalog-repository';
import { FunnelRecordsRepository } from '#adapters/funnel-records';
import { countFunnel, isIsoWeek, isoWeekOf, type FunnelReport, type IsoWeek } from '#core/funnel';
import { describeTarget, resolveTableTarget, usingTable, withConnectionOptions, type ConnectionOptions } from '#cli/context';
import { renderFunnelHtml } from '#cli/report/html';
import { funnelNames, type FunnelNames } from '#cli/report/names';
import { formatFunnelText } from '#cli/report/text';

/** How long an unreferred screening is kept unless the deployment says otherwise (`screeningTtlDays`). */
const DEFAULT_SCREENING_TTL_DAYS = 30;
const DAY_MS = 86_400_000;

/** An ISO week (`2026-W49`) or a date (`2026-12-01`, meaning its week). */
export function parseWeek(value: string): IsoWeek {
  if (isIsoWeek(value)) return value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const date = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.toISOString().startsWith(value)) return isoWeekOf(date);
  }
  throw new InvalidArgumentError('expected an ISO week like 2026-W49 or a date like 2026-12-01');
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days <= 0) throw new InvalidArgumentError('expected a positive whole number of days');
  return days;
}

function parseTrialId(value: string): string {
  if (!/^NCT\d{8}$/.test(value)) throw new InvalidArgumentError('expected an NCT id like NCT01234567');
  return value;
}

interface ReportOptions extends ConnectionOptions {
  from?: IsoWeek;
  to?: IsoWeek;
  trial?: string;
  json?: boolean;
  html?: string;
  screeningTtlDays: number;
}

/** The report as `--json` prints it: the counts, the names they refer to, and what was unreadable. */
export function funnelJson(report: FunnelReport, names: FunnelNames, unreadable: FunnelRecordsRepository['unreadable']) {
  return {
    ...report,
    trials: Object.fromEntries(report.byTrial.map((trial) => [trial.trialId, names.trialTitle(trial.trialId) ?? null])),
    rows: report.rows.map((row) => ({ ...row, siteName: names.siteName(row.trialId, row.siteId) })),
    unreadable,
  };
}

export function registerReportCommands(program: Command): void {
  withConnectionOptions(
    program
      .command('report')
      .description(
        'Funnel and attrition per ISO week, trial and site: screenings, possibly eligible / eligible, referred, delivered, contacted, enrolled, and how many screenings each criterion made "not met" or left unknown (counts only)',
      )
      .option('--from <week>', 'first week (ISO week like 2026-W45, or a date in it)', parseWeek)
      .option('--to <week>', 'last week (ISO week like 2026-W49, or a date in it)', parseWeek)
      .option('--trial <nctId>', 'only this trial', parseTrialId)
      .option('--json', 'print the report as JSON')
      .option('--html <file>', 'write a self-contained HTML report with charts to this file')
      .option(
        '--screening-ttl-days <days>',
        "the deployment's screeningTtlDays: weeks older than this are marked partial (unreferred screenings expired)",
        parseDays,
        DEFAULT_SCREENING_TTL_DAYS,
      ),
  ).action(async (options: ReportOptions) => {
    if (options.from && options.to && options.from > options.to)
      throw new Error(`--from ${options.from} is after --to ${options.to}`);
    const target = resolveTableTarget(options);
    const where = describeTarget(target);
    const now = new Date();
    const { report, names, unreadable } = await usingTable(target, async (table) => {
      const records = new FunnelRecordsRepository(table);
      const counted = await countFunnel(records, {
        fromWeek: options.from,
        toWeek: options.to,
        trialId: options.trial,
        unreferredKeptSince: new Date(now.getTime() - options.screeningTtlDays * DAY_MS),
      });
      const catalog = await new CatalogRepository(table).getCurrentCatalog().catch(() => undefined);
      return {
        report: counted,
        names: funnelNames(catalog?.trials.map((prepared) => prepared.trial) ?? []),
        unreadable: records.unreadable,
      };
    });

    if (options.html) {
      writeFileSync(options.html, renderFunnelHtml(report, names, { generatedAt: now, source: where }));
      console.error(`wrote the funnel report to ${options.html}`);
    }
    if (options.json) console.log(JSON.stringify(funnelJson(report, names, unreadable), null, 2));
    else if (!options.html) console.log(formatFunnelText(report, names, where));
    if (unreadable.screenings + unreadable.leads > 0) {
      console.error(
        `warning: ${unreadable.screenings} screening(s) and ${unreadable.leads} lead(s) were not in a shape this version reads and are not counted`,
      );
    }
  });
}
