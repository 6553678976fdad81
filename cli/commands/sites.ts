/**
 * `trial-screener sites ...`: which study sites take no new leads, and pausing or resuming one.
 * A site pauses itself from a lead page ("Stop sending leads to this site"), and a hard-bounced
 * address is paused by the email-event recorder; the operator lists, pauses and resumes here.
 */
import type { Command } from 'commander';
import { SitePauseRepository } from '#adapters/site-pause-repository';
import { describeTarget, resolveTableTarget, usingTable, withConnectionOptions, type ConnectionOptions } from '#cli/context';

type PauseTarget = { trialId?: string; siteId?: string; address?: string };

/** A trial's site (`<trialId> <siteId>`) or an address (`--address`), never both, never neither. */
function pauseTarget(trialId: string | undefined, siteId: string | undefined, address: string | undefined): PauseTarget {
  if (address && (trialId || siteId)) throw new Error('give either <trialId> <siteId> or --address, not both');
  if (!address && !(trialId && siteId)) throw new Error('give <trialId> <siteId> (see `sites list`) or --address <email>');
  return address ? { address } : { trialId, siteId };
}

function describePause(target: PauseTarget): string {
  return target.address ? `address ${target.address}` : `site ${target.siteId} of ${target.trialId}`;
}

export function registerSiteCommands(program: Command): void {
  const sites = program.command('sites').description('Study sites that take no new leads: list, pause and resume');

  withConnectionOptions(
    sites
      .command('list')
      .description('List paused sites and addresses, with who paused them and why')
      .option('--json', 'print JSON lines'),
  ).action(async (options: ConnectionOptions & { json?: boolean }) => {
    const target = resolveTableTarget(options);
    const pauses = await usingTable(target, (table) => new SitePauseRepository(table).list());
    if (options.json) {
      for (const pause of pauses) console.log(JSON.stringify(pause));
      return;
    }
    if (pauses.length === 0) {
      console.log(`no paused sites in ${describeTarget(target)}`);
      return;
    }
    console.table(
      pauses.map((pause) => ({
        paused: pause.kind === 'site' ? `${pause.trialId} ${pause.siteId}` : pause.address,
        since: pause.pausedAt,
        by: pause.pausedBy,
        reason: pause.reason ?? '',
        lead: pause.leadId ?? '',
      })),
    );
  });

  withConnectionOptions(
    sites
      .command('pause')
      .description("Stop new leads to a trial's site (or to an address, for every trial): results say it is not taking referrals")
      .argument('[trialId]', 'the trial (NCT id)')
      .argument('[siteId]', "the site's id within the trial (see `trials show` or `leads show`)")
      .option('--address <email>', 'pause an address instead, whatever trial it receives leads for')
      .option('--reason <text>', 'why (shown by `sites list`)')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      trialId: string | undefined,
      siteId: string | undefined,
      options: ConnectionOptions & { address?: string; reason?: string; json?: boolean },
    ) => {
      const pause = pauseTarget(trialId, siteId, options.address);
      const target = resolveTableTarget(options);
      const details = { pausedBy: 'operator' as const, reason: options.reason };
      const paused = await usingTable(target, (table) => {
        const repository = new SitePauseRepository(table);
        return pause.address
          ? repository.pauseAddress(pause.address, details, new Date())
          : repository.pauseSite(pause.trialId!, pause.siteId!, details, new Date());
      });
      if (options.json) console.log(JSON.stringify({ ...pause, paused: true, alreadyPaused: !paused }));
      else console.log(paused ? `paused ${describePause(pause)}: no new leads` : `${describePause(pause)} was already paused`);
    },
  );

  withConnectionOptions(
    sites
      .command('resume')
      .description('Send leads to a paused site (or address) again')
      .argument('[trialId]', 'the trial (NCT id)')
      .argument('[siteId]', "the site's id within the trial")
      .option('--address <email>', 'resume an address instead')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      trialId: string | undefined,
      siteId: string | undefined,
      options: ConnectionOptions & { address?: string; json?: boolean },
    ) => {
      const pause = pauseTarget(trialId, siteId, options.address);
      const target = resolveTableTarget(options);
      const resumed = await usingTable(target, (table) => {
        const repository = new SitePauseRepository(table);
        return pause.address ? repository.resumeAddress(pause.address) : repository.resumeSite(pause.trialId!, pause.siteId!);
      });
      if (options.json) console.log(JSON.stringify({ ...pause, resumed }));
      else
        console.log(
          resumed ? `resumed ${describePause(pause)}: new leads go to it again` : `${describePause(pause)} was not paused`,
        );
      if (!resumed) process.exitCode = 1;
    },
  );
}
