/**
 * The reconciler's handler: the reconcile-leads use case (`functions/app/reconcile-leads.ts`) over
 * the outbox's due messages, the delivery service (the same lifecycle, log lines and metrics as
 * the stream handler's) and the run's metric and log lines; the Lambda context says how much of
 * the invocation is left.
 */
import {
  DEFAULT_ERROR_DEFER_SECONDS,
  DEFAULT_MAX_MESSAGES_PER_RUN,
  DEFAULT_SAFETY_MARGIN_MS,
  type ReconcileSummary,
  reconcileLeads,
} from '#app/reconcile-leads';
import type { OutboxDelivery } from '#adapters/outbox-delivery';
import { reconcilerMonitor } from '#adapters/reconciler-monitor';

export { DEFAULT_ERROR_DEFER_SECONDS, DEFAULT_MAX_MESSAGES_PER_RUN, type ReconcileSummary } from '#app/reconcile-leads';

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

/** Anything that can say how much invocation time remains (a Lambda context does). */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

export type ReconcileLeadsHandler = (event: unknown, context?: RemainingTime) => Promise<ReconcileSummary>;

/** Builds the scheduled handler around a delivery service. */
export function createReconcileLeadsHandler(delivery: OutboxDelivery, options: ReconcilerOptions = {}): ReconcileLeadsHandler {
  const run = reconcileLeads(
    {
      due: delivery.outbox,
      delivery,
      monitor: reconcilerMonitor(delivery),
      clock: options.now ?? (() => new Date()),
    },
    {
      maxMessagesPerRun: options.maxMessagesPerRun ?? DEFAULT_MAX_MESSAGES_PER_RUN,
      safetyMarginMs: options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS,
      errorDeferSeconds: options.errorDeferSeconds ?? DEFAULT_ERROR_DEFER_SECONDS,
    },
  );
  return (_event, context) => run(context ? () => context.getRemainingTimeInMillis() : undefined);
}
