/**
 * Runs the operator CLI in this process, as `trial-screener <args>` would, capturing what it
 * prints and its exit code.
 */
import { jest } from '@jest/globals';
import { Command } from 'commander';
import { registerCatalogCommands } from '#cli/commands/catalog';
import { registerLeadCommands } from '#cli/commands/leads';
import { registerScreeningCommands } from '#cli/commands/screenings';
import { registerTrialCommands } from '#cli/commands/trials';

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(...args: string[]): Promise<CliRun> {
  const program = new Command().name('trial-screener').exitOverride();
  registerTrialCommands(program);
  registerCatalogCommands(program);
  registerLeadCommands(program);
  registerScreeningCommands(program);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const capture =
    (into: string[]) =>
    (...parts: unknown[]) =>
      void into.push(parts.join(' '));
  jest.spyOn(console, 'log').mockImplementation(capture(stdout));
  jest.spyOn(console, 'warn').mockImplementation(capture(stderr));
  jest.spyOn(console, 'error').mockImplementation(capture(stderr));
  process.exitCode = undefined;
  let exitCode = 0;
  try {
    await program.parseAsync(['node', 'trial-screener', ...args]);
    exitCode = Number(process.exitCode ?? 0);
  } catch (error) {
    stderr.push((error as Error).message);
    exitCode = (error as { exitCode?: number }).exitCode ?? 1;
  } finally {
    process.exitCode = undefined;
    jest.restoreAllMocks();
  }
  return { exitCode, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}
