/**
 * `trial-screener`: the operator command line. Each command group lives in `cli/commands/` and
 * registers itself on the program; every group works against the local `npm start` stack by
 * default and against AWS with `--table`, `--region` and `--profile`.
 */
import { Command } from 'commander';
import { registerCatalogCommands } from './commands/catalog';
import { registerLeadCommands } from './commands/leads';
import { registerReportCommands } from './commands/report';
import { registerSiteCommands } from './commands/sites';
import { registerScreeningCommands } from './commands/screenings';
import { registerTrialCommands } from './commands/trials';

const program = new Command()
  .name('trial-screener')
  .description('Operate a trial-screener deployment: trials, catalog, leads and patient data')
  .showHelpAfterError()
  .exitOverride();

registerTrialCommands(program);
registerCatalogCommands(program);
registerLeadCommands(program);
registerScreeningCommands(program);
registerReportCommands(program);
registerSiteCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const exitCode = (error as { exitCode?: number }).exitCode;
  if (typeof exitCode === 'number') process.exit(exitCode);
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
}
