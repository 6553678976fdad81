/**
 * Lambda entry `reconcile-leads` (see `functions/function-manifest.ts`): runs on a schedule and re-drives
 * leads and confirmations left PENDING or stale in SENDING. Configuration is parsed at cold start.
 */
import { loadConfig } from '#adapters/config';
import { createOutboxDelivery } from '#adapters/outbox-delivery';
import { createReconcileLeadsHandler } from './reconciler';

export const handler = createReconcileLeadsHandler(createOutboxDelivery(loadConfig('reconcile-leads')));
