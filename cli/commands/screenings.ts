/**
 * `trial-screener screenings ...`: patient data requests an operator handles by hand.
 */
import type { Command } from 'commander';
import { ScreeningRepository } from '../../functions/adapters/screening-repository';
import { describeTarget, resolveTableTarget, usingTable, withConnectionOptions, type ConnectionOptions } from '../context';

export function registerScreeningCommands(program: Command): void {
  const screenings = program.command('screenings').description("Handle patients' data requests");

  withConnectionOptions(
    screenings
      .command('erase')
      .description(
        "Erase a screening with its referral, leads and confirmation (for a patient who asks without their link). " +
          'Leads already emailed to a site are outside this system: tell the site.',
      )
      .argument('<screeningId>', 'the screening id the patient quotes')
      .option('--json', 'print the result as JSON'),
  ).action(async (screeningId: string, options: ConnectionOptions & { json?: boolean }) => {
    const target = resolveTableTarget(options);
    const erased = await usingTable(target, (table) => new ScreeningRepository(table).eraseScreeningAsOperator(screeningId));
    if (options.json) console.log(JSON.stringify({ screeningId, erased }));
    else console.log(erased ? `erased screening ${screeningId} from ${describeTarget(target)}` : `no screening ${screeningId} in ${describeTarget(target)}`);
    if (!erased) process.exitCode = 1;
  });
}
