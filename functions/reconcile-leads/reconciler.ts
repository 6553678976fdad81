/**
 * The reconciler: on a schedule, delivers every outbound message that is due, so a lead survives
 * a transient SES or table fault, a lost or expired stream record, a DLQ message or a crashed
 * worker. The table is the source of truth: it reads the due index (`DUE_INDEX`), which holds only
 * undelivered messages by when they are due (a PENDING message at its `nextAttemptAt`, a SENDING
 * claim when it goes stale), and the messages never attempted that the stream has not delivered
 * within its grace (PENDING in the outbox index, `OutboxRepository.dueRefs`), and delivers each
 * through the same lifecycle as the stream handler (claims make a message that the stream
 * delivers meanwhile a no-op here).
 *
 * Each run is bounded (at most `maxMessagesPerRun`, and it stops before the invocation's time
 * runs out). One message's failure is isolated: it is logged, counted, and its due time is moved
 * back, so a poison item can neither end the run nor stay first in line on every run.
 */
import type { DeliveryOutcome, OutboxRef } from '#core/delivery';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { OLDEST_DUE_METRIC, type OutboxDelivery } from '#adapters/outbox-delivery';

export interface ReconcilerOptions {
  /** At most this many messages per run; the rest wait for the next run. */
  maxMessagesPerRun?: number;
  /** Stop starting new deliveries when less than this much invocation time remains. */
  safetyMarginMs?: number;
  /** How far back in line a message whose delivery threw is moved. */
  errorDeferSeconds?: number;
  /** The clock (tests). */
  now?: () => Date;
}

export type ReconcileSummary = Record<DeliveryOutcome['outcome'], number> & { examined: number; errors: number };

/** Anything that can say how much invocation time remains (a Lambda context does). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export type ReconcileLeadsHandler = (event: unknown, context?: RemainingTime) => Promise<ReconcileSummary>;

export const DEFAULT_MAX_MESSAGES_PER_RUN = 200;
export const DEFAULT_ERROR_DEFER_SECONDS = 600;

/** Publishes how long the longest-waiting due message has waited (see `OLDEST_DUE_METRIC`). */
async function recordOldestDueAge(delivery: OutboxDelivery, now: Date): Promise<void> {
  try {
    const oldestDueAt = await delivery.outbox.oldestDueAt();
    const ageSeconds = oldestDueAt ? Math.max(0, Math.round((now.getTime() - oldestDueAt.getTime()) / 1000)) : 0;
    delivery.metrics.addMetric(OLDEST_DUE_METRIC, MetricUnit.Seconds, ageSeconds);
  } catch (error) {
    // Without the metric the alarm treats the period as breaching, which is what a failing table means.
    delivery.logger.warn('Could not read the oldest due message', { error: error instanceof Error ? error.name : 'unknown' });
  }
}

/** Builds the scheduled handler around a delivery service. */
export function createReconcileLeadsHandler(delivery: OutboxDelivery, options: ReconcilerOptions = {}): ReconcileLeadsHandler {
  const maxMessages = options.maxMessagesPerRun ?? DEFAULT_MAX_MESSAGES_PER_RUN;
  const safetyMarginMs = options.safetyMarginMs ?? 15_000;
  const errorDeferSeconds = options.errorDeferSeconds ?? DEFAULT_ERROR_DEFER_SECONDS;
  const now = options.now ?? (() => new Date());

  const deliverIsolated = async (ref: OutboxRef, summary: ReconcileSummary) => {
    try {
      const result = await delivery.deliver(ref);
      summary[result.outcome] += 1;
    } catch (error) {
      summary.errors += 1;
      // Name only: an SDK error message can quote item values.
      delivery.logger.error('Reconciler could not deliver a message; moved back in line', {
        kind: ref.kind,
        id: ref.id,
        error: error instanceof Error ? error.name : 'unknown',
        retryInSeconds: errorDeferSeconds,
      });
      try {
        await delivery.outbox.defer(ref, new Date(now().getTime() + errorDeferSeconds * 1000));
      } catch {
        // The table is failing for this item too; the next run will meet it again.
      }
    }
  };

  return async (_event, context) => {
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
      const due = await delivery.outbox.dueRefs(now(), maxMessages);
      for (const ref of due) {
        if (context && context.getRemainingTimeInMillis() < safetyMarginMs) break;
        summary.examined += 1;
        await deliverIsolated(ref, summary);
      }
    } finally {
      await recordOldestDueAge(delivery, now());
      delivery.publishMetrics();
    }
    if (summary.examined > 0) delivery.logger.info('Reconciler run finished', { ...summary });
    return summary;
  };
}
