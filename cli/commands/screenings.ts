/**
 * `trial-screener screenings ...`: patient data requests an operator handles by hand.
 */
import { InvalidArgumentError, type Command } from 'commander';
import type { Disclosure } from '#core/ports';
import { ErasureRepository } from '#adapters/erasure-repository';
import { DEFAULT_REFERRAL_RETENTION_DAYS } from '#adapters/referral-repository';
import { describeTarget, resolveTableTarget, usingTable, withConnectionOptions, type ConnectionOptions } from '#cli/context';

export function registerScreeningCommands(program: Command): void {
  const screenings = program.command('screenings').description("Handle patients' data requests");

  withConnectionOptions(
    screenings
      .command('erase')
      .description(
        'Erase a screening with its referral, leads and confirmation (for a patient who asks without their link); ' +
          'prints the sites that had already received the lead, which you must tell.',
      )
      .argument('<screeningId>', 'the screening id the patient quotes')
      .option(
        '--retention-days <days>',
        "how long the disclosure record is kept: the deployment's referral retention (REFERRAL_RETENTION_DAYS)",
        parseDays,
        DEFAULT_REFERRAL_RETENTION_DAYS,
      )
      .option('--json', 'print the result as JSON'),
  ).action(async (screeningId: string, options: ConnectionOptions & { retentionDays: number; json?: boolean }) => {
    const target = resolveTableTarget(options);
    const receipt = await usingTable(target, (table) =>
      new ErasureRepository(table, { referralRetentionDays: options.retentionDays }).eraseScreeningAsOperator(screeningId),
    );
    if (options.json) {
      console.log(JSON.stringify({ screeningId, erased: receipt !== undefined, disclosedTo: receipt?.disclosedTo ?? [] }));
    } else if (!receipt) {
      console.log(`no screening ${screeningId} in ${describeTarget(target)}`);
    } else {
      console.log(`erased screening ${screeningId} from ${describeTarget(target)}`);
      console.log(formatDisclosures(receipt.disclosedTo));
    }
    if (!receipt) process.exitCode = 1;
  });

  withConnectionOptions(
    screenings
      .command('disclosures')
      .description('Show which sites had received the data of an erased screening (kept after erasure; no patient data)')
      .argument('<screeningId>', 'the erased screening id')
      .option('--json', 'print the result as JSON'),
  ).action(async (screeningId: string, options: ConnectionOptions & { json?: boolean }) => {
    const target = resolveTableTarget(options);
    const record = await usingTable(target, (table) => new ErasureRepository(table).getDisclosure(screeningId));
    if (options.json) console.log(JSON.stringify(record ?? { screeningId, disclosedTo: [] }));
    else if (!record)
      console.log(
        `no disclosure record for ${screeningId} in ${describeTarget(target)} (nothing had been sent, or it was not erased)`,
      );
    else console.log(`erased ${record.erasedAt}\n${formatDisclosures(record.disclosedTo)}`);
  });
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days <= 0) throw new InvalidArgumentError('expected a positive whole number of days');
  return days;
}

/** The sites an erased patient's data had reached, for the operator to tell them. */
export function formatDisclosures(disclosedTo: readonly Disclosure[]): string {
  if (disclosedTo.length === 0) return "No site had received this patient's details.";
  return [
    `These sites had already received this patient's details; tell them of the erasure:`,
    ...disclosedTo.map(
      (site) =>
        `  ${site.trialId} ${site.facility ?? site.siteId} (lead ${site.leadId}): ` +
        (site.status === 'SENT' ? `sent ${site.sentAt}` : 'possibly sent (a send was in flight and never recorded)'),
    ),
  ].join('\n');
}
