/**
 * The local runtime's reminder run: the real `remind-sites` entry on a timer (in AWS it runs on
 * the manifest's schedule), with the delivery environment the delivery service set (the SES
 * emulator, the local table). `SITE_REMINDER_WORKING_DAYS` works here as in AWS.
 *
 * SES delivery events do not exist locally (the emulator publishes none), so the email-event
 * recorder runs only in AWS; its tests feed it the documented event records.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FUNCTIONS, type FunctionSpec } from '#functions/function-manifest';
import { REPOSITORY_ROOT } from './api-routes';
import type { DeliveryServiceContext } from './email-guard';

/** How often the local reminder run looks for unanswered leads. */
const LOCAL_REMINDER_INTERVAL_MS = 5 * 60_000;

let timer: NodeJS.Timeout | undefined;
let running: Promise<unknown> | undefined;

export const siteRemindersService = {
  name: 'site reminders',
  async start(context: DeliveryServiceContext): Promise<void> {
    const spec = (FUNCTIONS as readonly FunctionSpec[]).find((candidate) => candidate.name === 'remind-sites');
    if (!spec) throw new Error('remind-sites is not in functions/function-manifest.ts');
    const module = (await import(pathToFileURL(resolve(REPOSITORY_ROOT, spec.entry)).href)) as {
      handler?: () => Promise<unknown>;
    };
    const remind = module.handler;
    if (!remind) throw new Error(`${spec.entry} exports no handler`);
    const run = () => {
      if (running) return;
      running = remind()
        .catch((error: unknown) => console.error(`Reminder run failed: ${(error as Error).name}`))
        .finally(() => {
          running = undefined;
        });
    };
    timer = setInterval(run, LOCAL_REMINDER_INTERVAL_MS);
    context.urls.push(
      `Site reminders:   every ${LOCAL_REMINDER_INTERVAL_MS / 60_000} min (after ${process.env.SITE_REMINDER_WORKING_DAYS || 3} working days)`,
    );
  },
  async stop(): Promise<void> {
    if (timer) clearInterval(timer);
    timer = undefined;
    await running;
  },
};
