/**
 * Reconcile leads: on a schedule, delivers every outbound message that is due, so a lead survives
 * a transient SES or table fault, a lost or expired stream record, a DLQ message or a crashed
 * worker. The table is the source of truth (`DueMessages`: retries and stale claims by when they
 * are due, and the messages never attempted that the stream has not delivered within its grace),
 * and each message goes through the same lifecycle as the stream handler's (claims make a message
 * that the stream delivers meanwhile a no-op here).
 *
 * Each run is bounded (at most `maxMessagesPerRun`, and it stops before the invocation's time
 * runs out). One message's failure is isolated: it is told, counted, and its due time is moved
 * back, so a poison item can neither end the run nor stay first in line on every run.
 */
import type { DeliveryOutcome, OutboxRef } from '#core/delivery';
import type { Clock, DueMessages, MessageDelivery, ReconcilerMonitor, RemainingTime } from '#core/ports';

export interface ReconcileLeadsPorts {
  due: DueMessages;
  delivery: MessageDelivery;
  monitor: ReconcilerMonitor;
  clock: Clock;
}

export interface ReconcileLeadsSettings {
  /** At most this many messages per run; the rest wait for the next run. */
  maxMessagesPerRun: number;
  /** Stop starting new deliveries when less than this much invocation time remains. */
  safetyMarginMs: number;
  /** How far back in line a message whose delivery threw is moved. */
  errorDeferSeconds: number;
}

export type ReconcileSummary = Record<DeliveryOutcome['outcome'], number> & { examined: number; errors: number };

export const DEFAULT_MAX_MESSAGES_PER_RUN = 200;
export const DEFAULT_ERROR_DEFER_SECONDS = 600;
export const DEFAULT_SAFETY_MARGIN_MS = 15_000;

/**
 * Builds one reconciler run. `remainingMs`, when given, says how much of the invocation is left;
 * without it the run is bounded by the message count alone.
 */
export function reconcileLeads(ports: ReconcileLeadsPorts, settings: ReconcileLeadsSettings) {
  return async (remainingMs?: RemainingTime): Promise<ReconcileSummary> => {
    const summary: ReconcileSummary = {
      examined: 0,
      sent: 0,
      failed: 0,
      held: 0,
      retry: 0,
      skipped: 0,
      unrecorded: 0,
      errors: 0,
    };
    try {
      const due = await ports.due.dueRefs(ports.clock(), settings.maxMessagesPerRun);
      for (const ref of due) {
        if (remainingMs && remainingMs() < settings.safetyMarginMs) break;
        summary.examined += 1;
        await deliverIsolated(ref, summary, ports, settings);
      }
    } finally {
      await reportOldestDue(ports);
      ports.monitor.published();
    }
    ports.monitor.finished(summary);
    return summary;
  };
}

async function deliverIsolated(
  ref: OutboxRef,
  summary: ReconcileSummary,
  ports: ReconcileLeadsPorts,
  settings: ReconcileLeadsSettings,
): Promise<void> {
  try {
    const result = await ports.delivery.deliver(ref);
    summary[result.outcome] += 1;
  } catch (error) {
    summary.errors += 1;
    ports.monitor.notDelivered(ref, errorName(error), settings.errorDeferSeconds);
    try {
      await ports.due.defer(ref, new Date(ports.clock().getTime() + settings.errorDeferSeconds * 1000));
    } catch {
      // The table is failing for this item too; the next run will meet it again.
    }
  }
}

/** Tells how long the longest-waiting due message has waited. */
async function reportOldestDue(ports: ReconcileLeadsPorts): Promise<void> {
  try {
    const now = ports.clock();
    const oldestDueAt = await ports.due.oldestDueAt();
    ports.monitor.oldestDue(oldestDueAt ? Math.max(0, Math.round((now.getTime() - oldestDueAt.getTime()) / 1000)) : 0);
  } catch (error) {
    // Without the figure the alarm treats the period as breaching, which is what a failing table means.
    ports.monitor.oldestDueUnknown(errorName(error));
  }
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}
