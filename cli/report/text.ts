/** The funnel report as plain-text tables for a terminal (`trial-screener report`). */
import { FUNNEL_STEPS, FUNNEL_STEP_LABELS, type FunnelCounts, type FunnelReport } from '#core/funnel';
import type { FunnelNames } from './names';

/** Columns padded to their widest cell; numbers right-aligned. */
export function textTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [headers, ...rows].map((row) => row.map(String));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)));
  const numeric = headers.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === 'number'));
  const line = (row: readonly string[]) =>
    row
      .map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(cells[0]!), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

const stepHeaders = FUNNEL_STEPS.map((step) => FUNNEL_STEP_LABELS[step].toLowerCase());
const stepCells = (counts: FunnelCounts) => FUNNEL_STEPS.map((step) => counts[step]);

/** A percentage of `part` in `whole`, or a dash when there is no whole. */
export function share(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((part / whole) * 100)}%`;
}

/** The whole report: summary, per trial, per week/trial/site and criterion attrition. */
export function formatFunnelText(report: FunnelReport, names: FunnelNames, where: string): string {
  const range = report.fromWeek ? `${report.fromWeek} to ${report.toWeek}` : 'no records';
  const sections = [
    `Funnel and attrition, ${range}${report.trialId ? ` for ${report.trialId}` : ', all trials'} (${where})`,
    `Screenings: ${report.screenings.total} (${report.screenings.urgentCare} stopped for urgent care). Counts only; no patient data.`,
  ];
  if (report.partialWeeks.length > 0) {
    sections.push(`Partial weeks (unreferred screenings expired, only referred ones counted): ${report.partialWeeks.join(', ')}`);
  }
  if (report.rows.length === 0) return [...sections, '', 'Nothing to count in this range.'].join('\n');

  sections.push(
    '',
    'By trial',
    textTable(
      ['trial', ...stepHeaders, 'referred/screened'],
      [
        ...report.byTrial.map((trial) => [trial.trialId, ...stepCells(trial), share(trial.referred, trial.screenings)]),
        ['all', ...stepCells(report.total), share(report.total.referred, report.total.screenings)],
      ],
    ),
    '',
    'By week, trial and site',
    textTable(
      ['week', 'trial', 'site', ...stepHeaders],
      report.rows.map((row) => [row.week, row.trialId, names.siteName(row.trialId, row.siteId), ...stepCells(row)]),
    ),
    '',
    'Criterion attrition (screenings each criterion made "not met", alone or with others, or left unknown)',
    textTable(
      ['trial', 'criterion', 'kind', 'evaluated', 'not met', 'only one not met', 'unknown', 'text'],
      report.attrition.map((entry) => [
        entry.trialId,
        entry.criterionId,
        entry.kind,
        entry.evaluated,
        entry.notMet,
        entry.onlyNotMet,
        entry.unknown,
        truncate(entry.text, 70),
      ]),
    ),
  );
  const titled = report.byTrial.filter((trial) => names.trialTitle(trial.trialId));
  if (titled.length > 0) {
    sections.push('', 'Trials', ...titled.map((trial) => `${trial.trialId}  ${names.trialTitle(trial.trialId)}`));
  }
  return sections.join('\n');
}

function truncate(text: string, length: number): string {
  return text.length <= length ? text : `${text.slice(0, length - 1)}…`;
}
