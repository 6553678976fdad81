/**
 * The reconciler: on a schedule, re-drives outbound messages the stream did not finish, so a lead
 * survives a lost or expired stream record, a DLQ message or a crashed worker. The table is the
 * source of truth: it queries the outbox index for messages still PENDING a while after their last
 * update and for SENDING claims gone stale, and delivers each through the same lifecycle as the
 * stream handler (claims make a message that the stream delivers meanwhile a no-op here).
 */
import type { DeliveryOutcome } from '../core/delivery';
import type { OutboxDelivery } from '../adapters/outbox-delivery';

export interface ReconcilerOptions {
  /** A PENDING message younger than this is left to the stream, which normally takes < 1 s. */
  pendingGraceSeconds?: number;
  /** At most this many messages per run; the rest wait for the next run. */
  maxMessagesPerRun?: number;
  /** Stop starting new deliveries when less than this much invocation time remains. */
  safetyMarginMs?: number;
}

export type ReconcileSummary = Record<DeliveryOutcome['outcome'], number> & { examined: number };

/** Anything that can say how much invocation time remains (a Lambda context does). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export type ReconcileLeadsHandler = (event: unknown, context?: RemainingTime) => Promise<ReconcileSummary>;

export const DEFAULT_PENDING_GRACE_SECONDS = 60;

/** Builds the scheduled handler around a delivery service. */
export function createReconcileLeadsHandler(delivery: OutboxDelivery, options: ReconcilerOptions = {}): ReconcileLeadsHandler {
  const graceSeconds = options.pendingGraceSeconds ?? DEFAULT_PENDING_GRACE_SECONDS;
  const maxMessages = options.maxMessagesPerRun ?? 500;
  const safetyMarginMs = options.safetyMarginMs ?? 15_000;

  return async (_event, context) => {
    const summary: ReconcileSummary = { examined: 0, sent: 0, failed: 0, held: 0, retry: 0, skipped: 0 };
    const now = Date.now();
    const sources = [
      delivery.outbox.allByStatus('PENDING', { updatedBefore: new Date(now - graceSeconds * 1000) }),
      delivery.outbox.allByStatus('SENDING', {
        updatedBefore: new Date(now - delivery.settings.staleSendingSeconds * 1000),
      }),
    ];
    try {
      for (const source of sources) {
        for await (const message of source) {
          if (summary.examined >= maxMessages) break;
          if (context && context.getRemainingTimeInMillis() < safetyMarginMs) break;
          summary.examined += 1;
          const result = await delivery.deliver(message.ref);
          summary[result.outcome] += 1;
        }
      }
    } finally {
      delivery.publishMetrics();
    }
    if (summary.examined > 0) delivery.logger.info('Reconciler run finished', { ...summary });
    return summary;
  };
}
