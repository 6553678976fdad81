/**
 * Record email events: SES publishes delivery, bounce and complaint events (through SNS); each is
 * kept on its outbox message. A hard bounce marks the message BOUNCED and, for a lead, pauses the
 * address that bounced (no new leads go to it; results say the site is not taking referrals). A
 * patient's address that bounces is the patient's to fix, so it pauses nothing.
 *
 * A store error is thrown, so the events are delivered again; recording is idempotent where it
 * matters (BOUNCED and the pause happen once).
 */
import { readEmailEvent } from '#core/email-events';
import type { Clock, EmailEventMonitor, EmailEventStore, SitePauses } from '#core/ports';

export interface RecordEmailEventsPorts {
  events: EmailEventStore;
  sitePauses: Pick<SitePauses, 'pauseAddress'>;
  monitor: EmailEventMonitor;
  clock: Clock;
}

/** One notification as SNS delivers it: its id and the SES event as JSON text. */
export interface EmailEventNotification {
  notificationId?: string | undefined;
  message?: string | undefined;
}

export interface EmailEventSummary {
  recorded: number;
  bounced: number;
  ignored: number;
}

export function recordEmailEvents(ports: RecordEmailEventsPorts) {
  return async (notifications: readonly EmailEventNotification[]): Promise<EmailEventSummary> => {
    const summary: EmailEventSummary = { recorded: 0, bounced: 0, ignored: 0 };
    try {
      for (const notification of notifications) {
        const parsed = readEmailEvent(parseJson(notification.message));
        if (!parsed?.ref) {
          ports.monitor.ignored(notification.notificationId);
          summary.ignored += 1;
          continue;
        }
        const { ref, entry } = parsed;
        if (await ports.events.record(ref, entry)) summary.recorded += 1;
        if (parsed.delivered) ports.monitor.delivered();
        if (parsed.complaint) ports.monitor.complained(ref, entry.messageId);
        if (!parsed.hardBounce || !(await ports.events.markBounced(ref, ports.clock()))) continue;
        summary.bounced += 1;
        if (ref.kind === 'LEAD') {
          const details = { pausedBy: 'bounce' as const, reason: entry.bounceSubType ?? 'hard bounce', leadId: ref.id };
          for (const address of parsed.bouncedAddresses) await ports.sitePauses.pauseAddress(address, details, ports.clock());
        }
        ports.monitor.hardBounced(ref, entry.messageId, entry.bounceSubType);
      }
    } finally {
      ports.monitor.finished(summary);
    }
    return summary;
  };
}

function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
