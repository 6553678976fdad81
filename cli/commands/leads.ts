/**
 * `trial-screener leads ...`: watch delivery, re-drive failures and export leads. Leads and
 * patient confirmations share one delivery lifecycle (PENDING -> SENDING -> SENT | FAILED), so
 * both are listed; every query goes through the outbox index, never a scan.
 *
 * Patient details (name, email, phone, answers) are shown only with `--with-patient`: an
 * operator's terminal and files are still places where health data should not end up by default.
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { OutboxKind, OutboxMessage, OutboxRef } from '#core/delivery';
import {
  LeadItemContent,
  OUTBOX_STATUSES,
  OutboxRepository,
  toOutboxMessage,
  type OutboxEntry,
  type OutboxSummary,
} from '#adapters/outbox-repository';
import type { OutboxStatus } from '#functions/table-schema';
import { DEFAULT_SITE_REMINDER_WORKING_DAYS } from '#core/site-leads';
import { unansweredLeads } from '#adapters/unanswered-leads';
import { connectTable, describeTarget, resolveTableTarget, withConnectionOptions, type ConnectionOptions } from '#cli/context';

const KINDS: readonly OutboxKind[] = ['LEAD', 'CONFIRMATION'];

function parseStatus(value: string): OutboxStatus {
  const status = OUTBOX_STATUSES.find((candidate) => candidate === value.toUpperCase());
  if (!status) throw new InvalidArgumentError(`expected one of ${OUTBOX_STATUSES.join(', ')}`);
  return status;
}

function parsePositive(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new InvalidArgumentError('expected a positive whole number');
  return number;
}

function repositoryFor(options: ConnectionOptions): { outbox: OutboxRepository; where: string } {
  const target = resolveTableTarget(options);
  return { outbox: new OutboxRepository(connectTable(target)), where: describeTarget(target) };
}

/** Finds a lead by id, or else a confirmation with that id. */
async function findEntry(outbox: OutboxRepository, id: string): Promise<OutboxEntry | undefined> {
  for (const kind of KINDS) {
    const entry = await outbox.get({ kind, id });
    if (entry) return entry;
  }
  return undefined;
}

/** The delivery fields shown for an entry: ids, status and outcome, no patient data. */
export function deliveryView(summary: OutboxSummary) {
  return {
    id: summary.ref.id,
    kind: summary.ref.kind,
    status: summary.status,
    attempts: summary.attempts,
    trialId: summary.trialId,
    siteId: summary.siteId,
    screeningId: summary.screeningId,
    createdAt: summary.createdAt,
    updatedAt: summary.updatedAt,
    sesMessageId: summary.sesMessageId,
    lastError: summary.lastError,
  };
}

/** The patient's details in a message read with its item's reader, for `--with-patient`. */
function patientView(message: OutboxMessage) {
  switch (message.kind) {
    case 'LEAD': {
      const { contact, consent, qualifyingAnswers, criteriaMet } = message.lead;
      return { contact, consent, qualifyingAnswers, criteriaMet };
    }
    // The contact only: the confirmation's screening token (its erasure link) is never shown.
    case 'CONFIRMATION':
      return { contact: message.confirmation.contact };
    case 'INVALID':
      return {};
  }
}

/**
 * Where a message went: for a lead the trial, the site and its recipient (catalog data, not
 * patient data), for a confirmation the studies it lists; an item that does not read says where.
 */
function destinationView(message: OutboxMessage) {
  switch (message.kind) {
    case 'LEAD':
      return { trial: message.lead.trial, site: message.lead.site, recipient: message.lead.recipient };
    case 'CONFIRMATION':
      return { leads: message.confirmation.leads };
    case 'INVALID':
      return { unreadable: message.reason };
  }
}

const CSV_COLUMNS = [
  'leadId',
  'status',
  'attempts',
  'createdAt',
  'updatedAt',
  'screeningId',
  'trialId',
  'trialTitle',
  'siteId',
  'facility',
  'city',
  'country',
  'recipientEmail',
  'sesMessageId',
  'lastError',
] as const;
const PATIENT_COLUMNS = [
  'patientName',
  'patientEmail',
  'patientPhone',
  'phoneContact',
  'consentAcceptedAt',
  'consentTextVersion',
] as const;

/**
 * One CSV cell: quoted when needed, and a leading `=`, `+`, `-`, `@`, tab or CR neutralised so a
 * spreadsheet never runs a patient-typed value as a formula.
 */
export function csvCell(value: unknown): string {
  let text = value === undefined || value === null ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV row of a lead (patient columns only when asked for). */
export function leadCsvRow(entry: OutboxEntry, withPatient: boolean): string {
  // Read with the Lead item's own zod reader (the one delivery uses): an item that does not parse
  // still gets its delivery columns, with the content columns empty.
  const parsed = LeadItemContent.safeParse(entry.item);
  const lead = parsed.success ? parsed.data : undefined;
  const summary = entry.summary;
  const cells: unknown[] = [
    summary.ref.id,
    summary.status,
    summary.attempts,
    summary.createdAt,
    summary.updatedAt,
    summary.screeningId,
    summary.trialId,
    lead?.trial.title,
    summary.siteId,
    lead?.site.facility,
    lead?.site.city,
    lead?.site.country,
    lead?.recipient.email,
    summary.sesMessageId,
    summary.lastError,
  ];
  if (withPatient) {
    cells.push(
      lead?.contact.name,
      lead?.contact.email,
      lead?.contact.phone,
      lead?.consent.phoneContact,
      lead?.consent.acceptedAt,
      lead?.consent.textVersion,
    );
  }
  return cells.map(csvCell).join(',');
}

export function registerLeadCommands(program: Command): void {
  const leads = program
    .command('leads')
    .description('Watch lead delivery, re-drive failures and export leads (patient confirmations included where noted)');

  withConnectionOptions(
    leads
      .command('list')
      .description('List leads and patient confirmations by delivery status (from the outbox index, oldest update first)')
      .option('--status <status>', `only this status: ${OUTBOX_STATUSES.join(', ')}`, parseStatus)
      .option('--limit <n>', 'at most this many per status', parsePositive, 100)
      .option(
        '--unanswered',
        'only sent leads the site has recorded no outcome for after the reminder delay (escalated: twice that)',
      )
      .option(
        '--working-days <n>',
        'the reminder delay in working days, as configured (SITE_REMINDER_WORKING_DAYS)',
        parsePositive,
        DEFAULT_SITE_REMINDER_WORKING_DAYS,
      )
      .option('--json', 'print JSON lines instead of a table'),
  ).action(
    async (
      options: ConnectionOptions & {
        status?: OutboxStatus;
        limit: number;
        unanswered?: boolean;
        workingDays: number;
        json?: boolean;
      },
    ) => {
      const { outbox, where } = repositoryFor(options);
      if (options.unanswered) return listUnanswered(outbox, where, options);
      const statuses = options.status ? [options.status] : [...OUTBOX_STATUSES];
      const rows: ReturnType<typeof deliveryView>[] = [];
      for (const status of statuses) {
        const page = await outbox.listByStatus(status, { limit: options.limit });
        rows.push(...page.items.map(deliveryView));
      }
      if (options.json) {
        for (const row of rows) console.log(JSON.stringify(row));
        return;
      }
      if (rows.length === 0) {
        console.log(`no ${options.status ?? ''}${options.status ? ' ' : ''}leads or confirmations in ${where}`);
        return;
      }
      console.table(
        rows.map((row) => ({
          id: row.id,
          kind: row.kind,
          status: row.status,
          attempts: row.attempts,
          trial: row.trialId ?? '',
          updated: row.updatedAt ?? '',
          error: row.lastError ?? '',
        })),
      );
    },
  );

  withConnectionOptions(
    leads
      .command('show')
      .description('Show one lead (or patient confirmation) with its delivery state and destination')
      .argument('<leadId>', 'a lead id (a confirmation id works too)')
      .option('--with-patient', "include the patient's contact details, consent and answers")
      .option('--json', 'print JSON'),
  ).action(async (id: string, options: ConnectionOptions & { withPatient?: boolean; json?: boolean }) => {
    const { outbox, where } = repositoryFor(options);
    const entry = await findEntry(outbox, id);
    if (!entry) {
      console.error(`no lead or confirmation ${id} in ${where}`);
      process.exitCode = 1;
      return;
    }
    const message = toOutboxMessage(entry.item);
    const view = {
      ...deliveryView(entry.summary),
      ...destinationView(message),
      ...(options.withPatient ? patientView(message) : {}),
    };
    console.log(options.json ? JSON.stringify(view, null, 2) : formatShow(view));
  });

  withConnectionOptions(
    leads
      .command('redrive')
      .description(
        'Put FAILED leads (or confirmations) back to PENDING with a fresh attempt budget; the reconciler delivers them on its next run',
      )
      .argument('[leadId]', 'the lead (or confirmation) to re-drive')
      .option('--failed', 'every FAILED lead and confirmation')
      .option('--json', 'print the result as JSON'),
  ).action(async (id: string | undefined, options: ConnectionOptions & { failed?: boolean; json?: boolean }) => {
    if (Boolean(id) === Boolean(options.failed)) {
      // A plain Error: cli/main.ts prints it; commander only reports its own errors itself.
      throw new Error('give either a lead id or --failed');
    }
    const { outbox, where } = repositoryFor(options);
    const refs: OutboxRef[] = [];
    if (options.failed) {
      // Collected first: each re-drive moves the item out of the FAILED index partition.
      for await (const summary of outbox.allByStatus('FAILED')) refs.push(summary.ref);
    } else {
      const entry = await findEntry(outbox, id as string);
      if (entry) refs.push(entry.summary.ref);
    }
    const redriven: string[] = [];
    const refused: string[] = [];
    for (const ref of refs) ((await outbox.redrive(ref, new Date())) ? redriven : refused).push(ref.id);
    if (!options.failed && refs.length === 0) refused.push(id as string);

    if (options.json) console.log(JSON.stringify({ redriven, refused }));
    else {
      for (const redrivenId of redriven) console.log(`re-driven ${redrivenId}: PENDING, the reconciler will deliver it`);
      for (const refusedId of refused) console.error(`not re-driven ${refusedId}: not found or not FAILED in ${where}`);
      if (refs.length === 0 && options.failed) console.log(`no FAILED leads or confirmations in ${where}`);
    }
    if (refused.length > 0) process.exitCode = 1;
  });

  withConnectionOptions(
    leads
      .command('export')
      .description('Export leads as CSV (delivery and destination columns; patient columns only with --with-patient)')
      .option('--csv', 'write CSV (the only format for now)')
      .option('--status <status>', `only this status: ${OUTBOX_STATUSES.join(', ')}`, parseStatus)
      .option('--with-patient', "add the patient's name, email, phone and consent")
      .option('--output <file>', 'write to a file instead of standard output'),
  ).action(
    async (options: ConnectionOptions & { csv?: boolean; status?: OutboxStatus; withPatient?: boolean; output?: string }) => {
      if (!options.csv) throw new Error('choose an export format: --csv');
      const { outbox } = repositoryFor(options);
      const header = [...CSV_COLUMNS, ...(options.withPatient ? PATIENT_COLUMNS : [])].join(',');
      const lines = [header];
      const unreadable: string[] = [];
      for (const status of options.status ? [options.status] : OUTBOX_STATUSES) {
        for await (const entry of outbox.allEntriesByStatus(status)) {
          if (entry.summary.ref.kind !== 'LEAD') continue;
          lines.push(leadCsvRow(entry, Boolean(options.withPatient)));
          if (!LeadItemContent.safeParse(entry.item).success) unreadable.push(entry.summary.ref.id);
        }
      }
      if (unreadable.length > 0)
        console.error(
          `${unreadable.length} lead(s) did not read as lead items; their content columns are empty (see \`leads show <id>\`): ${unreadable.join(', ')}`,
        );
      const csv = `${lines.join('\r\n')}\r\n`;
      if (options.output) {
        writeFileSync(options.output, csv, { mode: 0o600 });
        console.error(`wrote ${lines.length - 1} leads to ${options.output}`);
      } else process.stdout.write(csv);
    },
  );
}

/** `leads list --unanswered`: what the escalation alarm counts, lead by lead (no patient data). */
async function listUnanswered(
  outbox: OutboxRepository,
  where: string,
  options: { limit: number; workingDays: number; json?: boolean },
): Promise<void> {
  const rows = [];
  for await (const lead of unansweredLeads(outbox, new Date(), options.workingDays)) {
    rows.push({
      id: lead.leadId,
      trial: lead.trialId ?? '',
      site: lead.siteId ?? '',
      sent: lead.sentAt,
      reminded: lead.remindedAt ?? '',
      escalated: lead.followUp.escalated,
    });
    if (rows.length >= options.limit) break;
  }
  if (options.json) {
    for (const row of rows) console.log(JSON.stringify(row));
    return;
  }
  if (rows.length === 0) {
    console.log(`no leads unanswered after ${options.workingDays} working days in ${where}`);
    return;
  }
  console.table(rows);
}

function formatShow(view: Record<string, unknown>): string {
  return Object.entries(view)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key.padEnd(18)} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join('\n');
}
